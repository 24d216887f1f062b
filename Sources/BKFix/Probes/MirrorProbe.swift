import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What probing one registry mirror's `/v2/` endpoint found.
public struct MirrorProbeResult: Sendable, Equatable {
    public enum Verdict: String, Sendable, Equatable {
        /// The registry API answered (200, or 401 asking for a token).
        case alive
        /// 403, 404, another status, refused, unresolvable or timed out.
        case dead
        /// Could not be probed at all (https without curl); never used as a mirror.
        case unknown
    }

    /// The mirror as configured (`https://hub-mirror.c.163.com`).
    public var mirror: String
    public var verdict: Verdict
    /// The HTTP status when one was received.
    public var status: Int?
    /// Operator-facing reason: `HTTP 200`, `connection refused`, `timeout after 3.0 s` ...
    public var detail: String
    /// Seconds the probe took.
    public var elapsed: Double

    public init(mirror: String, verdict: Verdict, status: Int?, detail: String, elapsed: Double) {
        self.mirror = mirror
        self.verdict = verdict
        self.status = status
        self.detail = detail
        self.elapsed = elapsed
    }

    public var isAlive: Bool { verdict == .alive }
}

/// Probes docker registry mirrors with a real HTTP GET of `<mirror>/v2/`, all at once, each bounded by a timeout.
///
/// `http://` mirrors are probed from this process over plain sockets. `https://` needs TLS, which we cannot do
/// without a dependency, so those go through `httpsFetcher` (normally `curl` run through the host's transport);
/// without one they are reported as `unknown` ("cannot probe https") and never chosen.
public enum MirrorProbe {
    /// Fetches a URL and returns the HTTP status, or a failure reason; used for https.
    public typealias HTTPSFetcher = @Sendable (_ url: String, _ timeout: Double) -> FetchOutcome

    public enum FetchOutcome: Sendable, Equatable {
        case status(Int)
        case failed(String)
        case unavailable(String)
    }

    /// `hub-mirror.c.163.com/` → `https://hub-mirror.c.163.com` (docker wants a scheme; the slash is noise).
    public static func normalize(_ mirror: String) -> String {
        var m = mirror.trimmingCharacters(in: .whitespaces)
        if !m.contains("://") { m = "https://" + m }
        while m.hasSuffix("/") { m.removeLast() }
        return m
    }

    /// Probes every mirror concurrently; returns results in input order within `timeout` plus a small margin.
    public static func probe(_ mirrors: [String], timeout: Double, httpsFetcher: HTTPSFetcher?) -> [MirrorProbeResult] {
        let results = ProbeResults()
        let group = DispatchGroup()
        for (index, mirror) in mirrors.enumerated() {
            group.enter()
            let thread = Thread {
                let r = probeOne(mirror, timeout: timeout, httpsFetcher: httpsFetcher)
                results.store(r, at: index)
                group.leave()
            }
            thread.start()
        }
        _ = group.wait(timeout: .now() + timeout + 0.5)
        let done = results.snapshot
        return mirrors.enumerated().map { index, mirror in
            done[index]
                ?? MirrorProbeResult(
                    mirror: mirror, verdict: .dead, status: nil,
                    detail: "timeout after \(String(format: "%.1f", timeout)) s", elapsed: timeout)
        }
    }

    /// Probes one mirror, blocking the calling thread for at most about `timeout` seconds.
    public static func probeOne(_ mirror: String, timeout: Double, httpsFetcher: HTTPSFetcher?) -> MirrorProbeResult {
        let start = Date()
        let url = normalize(mirror) + "/v2/"
        let outcome: FetchOutcome
        if url.lowercased().hasPrefix("http://") {
            outcome = HTTPGet.status(of: url, timeout: timeout)
        } else if url.lowercased().hasPrefix("https://") {
            outcome = httpsFetcher?(url, timeout) ?? .unavailable("cannot probe https without curl")
        } else {
            outcome = .failed("unsupported scheme")
        }
        let elapsed = Date().timeIntervalSince(start)
        switch outcome {
        case .status(let code):
            let alive = code == 200 || code == 401
            return MirrorProbeResult(
                mirror: mirror, verdict: alive ? .alive : .dead, status: code, detail: "HTTP \(code)", elapsed: elapsed)
        case .failed(let reason):
            return MirrorProbeResult(mirror: mirror, verdict: .dead, status: nil, detail: reason, elapsed: elapsed)
        case .unavailable(let reason):
            return MirrorProbeResult(mirror: mirror, verdict: .unknown, status: nil, detail: reason, elapsed: elapsed)
        }
    }

    /// An https fetcher that runs `curl` through a transport (the host whose dockerd uses the mirrors).
    public static func curlFetcher(_ transport: any Transport) -> HTTPSFetcher {
        return { url, timeout in
            let argv = [
                "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--connect-timeout",
                String(format: "%.0f", max(1, timeout.rounded(.up))), "--max-time", String(format: "%g", timeout), url,
            ]
            guard
                let r = try? transport.run(CommandSpec(argv: argv, timeout: timeout + 2), output: nil)
            else { return .unavailable("cannot probe https: curl could not be run") }
            if r.exitCode == 127 { return .unavailable("cannot probe https: curl not found") }
            if r.timedOut || r.exitCode == 28 {
                return .failed("timeout after \(String(format: "%.1f", timeout)) s")
            }
            switch r.exitCode {
            case 0:
                let code = Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                return code > 0 ? .status(code) : .failed("no HTTP answer")
            case 6: return .failed("cannot resolve host")
            case 7: return .failed("connection refused")
            case 35, 60: return .failed("TLS error (curl exit \(r.exitCode))")
            default: return .failed("curl exit \(r.exitCode)")
            }
        }
    }

    /// The probe table shown in the plan.
    public static func table(_ results: [MirrorProbeResult], language: Language) -> [String] {
        let header =
            language == .zh ? ["镜像源", "结果", "详情", "耗时"] : ["mirror", "result", "detail", "time"]
        let verdictText: (MirrorProbeResult.Verdict) -> String = { v in
            switch (v, language) {
            case (.alive, .zh): return "可用"
            case (.dead, .zh): return "不可用"
            case (.unknown, .zh): return "无法探测"
            case (.alive, .en): return "alive"
            case (.dead, .en): return "dead"
            case (.unknown, .en): return "unknown"
            }
        }
        let rows = results.map { r in
            [r.mirror, verdictText(r.verdict), r.detail, "\(Int((r.elapsed * 1000).rounded())) ms"]
        }
        return ProbeTable.render(header: header, rows: rows)
    }
}

/// Results of concurrent probes, filled in by each probe's thread.
final class ProbeResults: Sendable {
    private let results = Mutex<[Int: MirrorProbeResult]>([:])

    func store(_ result: MirrorProbeResult, at index: Int) { results.withLock { $0[index] = result } }

    var snapshot: [Int: MirrorProbeResult] { results.withLock { $0 } }
}

/// A minimal HTTP/1.1 GET over a non-blocking socket, enough to read a status line within a deadline.
enum HTTPGet {
    static func status(of urlString: String, timeout: Double) -> MirrorProbe.FetchOutcome {
        guard let url = URL(string: urlString), let host = url.host else { return .failed("invalid URL") }
        let port = url.port ?? 80
        let deadline = Date().addingTimeInterval(timeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else {
            return .failed("cannot resolve host")
        }
        defer { freeaddrinfo(info) }
        var lastFailure = "connection failed"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let ai = candidate {
            candidate = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { continue }
            defer { close(fd) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 {
                guard errno == EINPROGRESS else {
                    lastFailure = errno == ECONNREFUSED ? "connection refused" : String(cString: strerror(errno))
                    continue
                }
                switch wait(fd, for: Int16(POLLOUT), until: deadline) {
                case .timeout: return .failed(timeoutText(timeout))
                case .error: continue
                case .ready: break
                }
                var soError: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &len)
                if soError != 0 {
                    lastFailure = soError == ECONNREFUSED ? "connection refused" : String(cString: strerror(soError))
                    continue
                }
            }
            let hostHeader = url.port.map { "\(host):\($0)" } ?? host
            let afterScheme = urlString.range(of: "://").map { urlString[$0.upperBound...] } ?? Substring(urlString)
            let path = afterScheme.firstIndex(of: "/").map { String(afterScheme[$0...]) } ?? "/"
            let request = Array(
                "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nUser-Agent: bkfix\r\nAccept: */*\r\nConnection: close\r\n\r\n"
                    .utf8)
            var sent = 0
            while sent < request.count {
                let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n > 0 {
                    sent += n
                    continue
                }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    if wait(fd, for: Int16(POLLOUT), until: deadline) == .timeout {
                        return .failed(timeoutText(timeout))
                    }
                    continue
                }
                return .failed("connection reset while sending")
            }
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !received.contains(UInt8(ascii: "\n")) {
                switch wait(fd, for: Int16(POLLIN), until: deadline) {
                case .timeout: return .failed(timeoutText(timeout))
                case .error, .ready: break
                }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    received.append(contentsOf: buffer[0..<n])
                } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                    continue
                } else {
                    break
                }
            }
            let statusLine = String(decoding: received.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
            let fields = statusLine.split(separator: " ")
            guard fields.count >= 2, fields[0].hasPrefix("HTTP/"), let code = Int(fields[1]) else {
                return .failed(received.isEmpty ? "connection closed without an answer" : "not an HTTP answer")
            }
            return .status(code)
        }
        return .failed(lastFailure)
    }

    enum WaitResult { case ready, timeout, error }

    /// Polls one descriptor until it is ready for `events` or the deadline passes.
    private static func wait(_ fd: Int32, for events: Int16, until deadline: Date) -> WaitResult {
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return .timeout }
            var pfd = pollfd(fd: fd, events: events, revents: 0)
            let rc = poll(&pfd, 1, Int32(min(remaining * 1000, 60_000).rounded(.up)))
            if rc > 0 { return (pfd.revents & events) != 0 ? .ready : .error }
            if rc == 0 { continue }
            if errno == EINTR { continue }
            return .error
        }
    }

    private static func timeoutText(_ timeout: Double) -> String {
        "timeout after \(String(format: "%.1f", timeout)) s"
    }
}
