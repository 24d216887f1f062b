import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Verify `tcp-port`: the control machine can open a TCP connection to the host's address and port within a short
/// timeout (a node's address comes from the inventory; `address:` overrides it).
public enum TCPPortCheck: VerifyKind {
    public static let name = "tcp-port"
    public static let requiredKeys: Set<String> = ["port"]
    public static let optionalKeys: Set<String> = ["address", "timeout"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let portText = try args.string("port")
        guard let port = UInt16(portText), port > 0 else {
            throw StepError.badArgument(
                step: name, key: "port", reason: "expected a port from 1 to 65535, got \(portText)")
        }
        let timeout = try args.double("timeout", default: 3)
        let address =
            try args.optionalString("address") ?? (context.transport as? SSHTransport)?.node.address ?? "127.0.0.1"
        let outcome = connect(address: address, port: port, timeout: timeout)
        let detail = outcome.map { "\(address):\(port): \($0)" } ?? "\(address):\(port) accepts connections"
        return VerifyResult(check: name, host: context.host, ok: outcome == nil, detail: detail)
    }

    /// Tries one connection; nil when it succeeded, else why not (refused, timed out, no route ...).
    public static func connect(address: String, port: UInt16, timeout: Double) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(address, String(port), &hints, &list)
        guard code == 0, let first = list else { return "cannot resolve: \(String(cString: gai_strerror(code)))" }
        defer { freeaddrinfo(list) }
        let fd = socket(
            first.pointee.ai_family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        if Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&poller, 1, Int32(max(timeout, 0.1) * 1000))
        guard ready > 0 else { return "no answer within \(String(format: "%g", timeout))s" }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length)
        return failure == 0 ? nil : String(cString: strerror(failure))
    }
}
