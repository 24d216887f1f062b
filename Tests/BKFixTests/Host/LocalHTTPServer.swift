import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny HTTP server on 127.0.0.1 for probe tests. The first path segment picks the answer: `/200/...`,
/// `/401/...`, `/403/...`, `/404/...` answer with that status; `/hang/...` accepts and never answers.
/// Each test starts its own server (no shared state) and stops it with `stop()`.
final class LocalHTTPServer: Sendable {
    let port: UInt16
    private let listener: Int32
    private let stopped = Mutex(false)
    /// Request lines received, in order.
    private let received = Mutex<[String]>([])

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.port = UInt16(bigEndian: addr.sin_port)
        self.listener = fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT/<behaviour>` as a mirror URL.
    func mirror(_ behaviour: String) -> String { "http://127.0.0.1:\(port)/\(behaviour)" }

    var requests: [String] { received.withLock { $0 } }

    func stop() {
        stopped.withLock { $0 = true }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if isStopped {
                if client >= 0 { close(client) }
                close(listener)
                return
            }
            if client < 0 { continue }
            let thread = Thread { [self] in serve(client) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !request.contains(UInt8(ascii: "\n")) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
        }
        let requestLine = String(
            decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        received.withLock { $0.append(requestLine) }
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        let behaviour = path.split(separator: "/").first.map(String.init) ?? ""
        if behaviour == "hang" {
            // Hold the connection without answering until the server stops (bounded, so threads end).
            for _ in 0..<200 where !isStopped { usleep(50_000) }
            return
        }
        let status = Int(behaviour) ?? 404
        let reason = [200: "OK", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"][status] ?? "Status"
        let body = status == 200 ? "{}" : "{\"errors\":[]}"
        let response =
            "HTTP/1.1 \(status) \(reason)\r\nContent-Type: application/json\r\nDocker-Distribution-Api-Version: registry/2.0\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(response.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// A localhost port nobody listens on (bound then released), for "connection refused".
    static func closedPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }
}
