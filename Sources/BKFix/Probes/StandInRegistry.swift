import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why the stand-in registry could not start.
public enum StandInRegistryError: LocalizedError, Equatable {
    case cannotListen(String)

    public var errorDescription: String? {
        switch self {
        case .cannotListen(let reason): return "cannot start the stand-in registry on 127.0.0.1: \(reason)"
        }
    }
}

/// A registry stand-in for `bkfix demo`: listens on 127.0.0.1 (ephemeral port) and answers `GET …/v2/` with 200
/// like a working docker mirror, anything else with 404. Serves from background threads until `stop()` (the accept
/// thread keeps the object alive, so call it).
public final class StandInRegistry: Sendable {
    public let port: UInt16
    private let listener: Int32
    private let stopped = Mutex(false)

    public init() throws {
        let fd = socket(AF_INET, Self.streamType, 0)
        guard fd >= 0 else { throw StandInRegistryError.cannotListen(String(cString: strerror(errno))) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StandInRegistryError.cannotListen(reason)
        }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        Thread { [self] in acceptLoop() }.start()
    }

    /// The mirror URL to put in daemon.json.
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting; safe to call more than once.
    public func stop() {
        let wasStopped = stopped.withLock { s -> Bool in
            defer { s = true }
            return s
        }
        guard !wasStopped else { return }
        // Wakes the accept thread, which closes the socket itself: closing here could let a reused descriptor
        // number be accepted on.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private static var streamType: Int32 {
        #if canImport(Glibc)
            Int32(SOCK_STREAM.rawValue)
        #else
            SOCK_STREAM
        #endif
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if stopped.withLock({ $0 }) {
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            if client < 0 { continue }
            Thread { StandInRegistry.answer(client) }.start()
        }
    }

    /// Reads the request line and answers it; a client that sends nothing for 5 s is dropped.
    private static func answer(_ fd: Int32) {
        defer { close(fd) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !request.contains(UInt8(ascii: "\n")) && request.count < 16_384 {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 5000) > 0 else { return }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
        }
        let line = String(
            decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let fields = line.split(separator: " ")
        let path = fields.count >= 2 ? String(fields[1]) : ""
        let ok = fields.first == "GET" && path.hasSuffix("/v2/")
        let body = ok ? "{}" : "404 page not found\n"
        let response =
            "HTTP/1.1 \(ok ? "200 OK" : "404 Not Found")\r\nContent-Type: application/json\r\n"
            + "Docker-Distribution-Api-Version: registry/2.0\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
        let bytes = Array(response.utf8)
        #if canImport(Glibc)
            let flags = Int32(MSG_NOSIGNAL)
        #else
            let flags: Int32 = 0
        #endif
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
    }
}

extension StandInRegistryError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .cannotListen: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .cannotListen: return "demo"
        }
    }
}
