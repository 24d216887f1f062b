import Foundation

/// Many file operations in one ssh round trip: one POSIX `sh` script walks its arguments (`l PATH` look, `h PATH`
/// digest, `w PATH MODE OWNER SIZE` write, `d PATH` remove) and answers one line per operation on stdout. The bytes
/// of the writes follow each other on stdin, each taken with `head -c SIZE` (GNU head reads no more than asked) and
/// checked for its size before the rename. Each write is the single `write`'s: temp file in the same directory,
/// owner and mode, fsync, rename, directory fsync, a symlink written through to its target. The first failing write
/// ends the script, so nothing after it is attempted and no read is made.
extension SSHTransport: BatchingTransport {
    static let batchScript = """
        t=
        trap '[ -n "$t" ] && rm -f -- "$t"' EXIT
        look() {
          f=$1
          if [ -L "$f" ]; then k=symlink; g=$(readlink -- "$f" | base64 -w 0)
          elif [ -f "$f" ]; then k=file; g=-
          elif [ -d "$f" ]; then k=directory; g=-
          elif [ -e "$f" ]; then k=other; g=-
          else k=absent; g=-; fi
          [ -n "$g" ] || g=-
          printf 'L %s %s %s ' "$i" "$k" "$g"
          if [ ! -e "$f" ]; then echo 3; return; fi
          if [ -d "$f" ]; then echo 4; return; fi
          if [ ! -f "$f" ]; then echo 5; return; fi
          if [ ! -r "$f" ]; then echo 6; return; fi
          m=$(stat -L -c '%a %u %g' -- "$f") || { echo 7; return; }
          printf '0 %s x' "$m"
          base64 -w 0 -- "$f"
          printf ' %s\\n' "$?"
        }
        digest() {
          f=$1
          if [ ! -e "$f" ]; then echo "H $i 3"; return; fi
          if [ -d "$f" ]; then echo "H $i 4"; return; fi
          if [ ! -f "$f" ]; then echo "H $i 5"; return; fi
          if [ ! -r "$f" ]; then echo "H $i 6"; return; fi
          s=$(sha256sum < "$f") || { echo "H $i 7"; return; }
          echo "H $i 0 ${s%% *}"
        }
        put() {
          f=$1; mode=$2; owner=$3; n=$4
          if [ -L "$f" ]; then f=$(readlink -f -- "$f") || return 7; fi
          [ -d "$f" ] && return 4
          if [ -e "$f" ] && [ ! -f "$f" ]; then return 5; fi
          d=$(dirname -- "$f")
          mkdir -p -- "$d" || return 7
          t=$(mktemp "$d/.bkfix.XXXXXX") || return 7
          head -c "$n" > "$t" || return 7
          [ "$(stat -c %s -- "$t")" = "$n" ] || { echo "expected $n bytes of $f on stdin" >&2; return 7; }
          if [ "$(stat -c '%u:%g' -- "$t")" != "$owner" ]; then chown -- "$owner" "$t" || return 7; fi
          chmod -- "$mode" "$t" || return 7
          sync -- "$t" 2>/dev/null || sync
          mv -f -- "$t" "$f" || return 7
          t=
          sync -- "$d" 2>/dev/null || true
        }
        del() {
          f=$1
          if [ -L "$f" ]; then f=$(readlink -f -- "$f") || return 0; fi
          [ -d "$f" ] && return 4
          rm -f -- "$f" || return 7
        }
        i=0
        while [ $# -gt 0 ]; do
          op=$1; shift
          case $op in
          l) look "$1"; shift ;;
          h) if command -v sha256sum >/dev/null 2>&1; then digest "$1"; else look "$1"; fi; shift ;;
          w) echo "@@bkfix $i" >&2; put "$1" "$2" "$3" "$4"; r=$?; shift 4; echo "W $i $r"; [ "$r" = 0 ] || exit 0 ;;
          d) echo "@@bkfix $i" >&2; del "$1"; r=$?; shift; echo "W $i $r"; [ "$r" = 0 ] || exit 0 ;;
          *) echo "bkfix batch: unknown operation $op" >&2; exit 9 ;;
          esac
          i=$((i + 1))
        done
        """

    public func inspect(_ paths: [String]) throws -> [String: PathInspection] {
        guard !paths.isEmpty else { return [:] }
        let answer = try batch(paths.flatMap { ["l", realPath($0)] }, input: nil, operation: "read")
        var out: [String: PathInspection] = [:]
        for (i, path) in paths.enumerated() { out[path] = try inspection(answer, index: i, path: path) }
        return out
    }

    public func digests(_ paths: [String]) throws -> [String: Result<String?, any Error>] {
        guard !paths.isEmpty else { return [:] }
        let answer = try batch(paths.flatMap { ["h", realPath($0)] }, input: nil, operation: "read")
        var out: [String: Result<String?, any Error>] = [:]
        for (i, path) in paths.enumerated() {
            if answer.lines[i]?.first == "L" {
                // No sha256sum on the node: the content came instead.
                out[path] = try inspection(answer, index: i, path: path).content.map { $0.map { SHA256.hex($0.data) } }
                continue
            }
            guard let fields = answer.lines[i], fields.count >= 3, fields[0] == "H", let code = Int32(fields[2]) else {
                throw noAnswer(path, "read", answer)
            }
            if code == HelperStatus.absent {
                out[path] = .success(nil)
            } else if code == 0, fields.count == 4 {
                out[path] = .success(fields[3])
            } else {
                out[path] = .failure(helperFailure(status: code, message: nil, path: path, operation: "read"))
            }
        }
        return out
    }

    public func commit(_ writes: [FileWrite], thenRead reads: [String]) throws -> BatchOutcome {
        var args: [String] = []
        var input = Data()
        for w in writes {
            if let data = w.data {
                args += ["w", realPath(w.path), String(w.meta.mode & 0o7777, radix: 8), "\(w.meta.uid):\(w.meta.gid)"]
                args.append(String(data.count))
                input.append(data)
            } else {
                args += ["d", realPath(w.path)]
            }
        }
        args += reads.flatMap { ["l", realPath($0)] }
        let answer = try batch(args, input: input, operation: "write")
        var results: [Result<Void, any Error>] = []
        for (i, w) in writes.enumerated() {
            let operation = w.data == nil ? "remove" : "write"
            guard let fields = answer.lines[i], fields.count == 3, fields[0] == "W", let code = Int32(fields[2]) else {
                // The script died on its way (it may have written this file): a failure, as a broken single write.
                results.append(.failure(noAnswer(w.path, operation, answer)))
                break
            }
            if code == 0 {
                results.append(.success(()))
            } else {
                results.append(
                    .failure(
                        helperFailure(
                            status: code, message: answer.stderr[i], path: w.path, operation: operation)))
                break
            }
        }
        var inspected: [String: PathInspection] = [:]
        if results.count == writes.count, results.allSatisfy({ if case .success = $0 { true } else { false } }) {
            for (j, path) in reads.enumerated() {
                inspected[path] = try inspection(answer, index: writes.count + j, path: path)
            }
        }
        return BatchOutcome(writes: results, reads: inspected)
    }

    /// The answer of one batch: each operation's stdout line split in fields, and each write's stderr.
    struct BatchAnswer {
        var lines: [Int: [String]] = [:]
        var stderr: [Int: String] = [:]
        var raw: CommandResult
    }

    /// Runs the script with `args` in one round trip and sorts its answer by operation.
    func batch(_ args: [String], input: Data?, operation: String) throws -> BatchAnswer {
        let result = try ssh(
            Self.shellCommand(Self.batchScript, args), operation: operation,
            timeout: timeoutFor(input == nil ? 300 : 600), input: input)
        var answer = BatchAnswer(raw: result)
        for line in result.stdout.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            if fields.count >= 2, let i = Int(fields[1]) { answer.lines[i] = fields }
        }
        var current: Int?
        for line in result.stderr.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("@@bkfix "), let i = Int(line.dropFirst(8)) {
                current = i
            } else if let i = current {
                answer.stderr[i, default: ""] += line + "\n"
            }
        }
        return answer
    }

    /// One `L` line back into a kind and a content, with the errors `kind(of:)` and `read` would have thrown.
    func inspection(_ answer: BatchAnswer, index: Int, path: String) throws -> PathInspection {
        guard let f = answer.lines[index], f.count >= 5, f[0] == "L", let code = Int32(f[4]) else {
            throw noAnswer(path, "read", answer)
        }
        let kind: PathKind?
        switch f[2] {
        case "file": kind = .file
        case "directory": kind = .directory
        case "other": kind = .other
        case "absent": kind = nil
        case "symlink":
            var target = f[3] == "-" ? "" : String(decoding: Data(base64Encoded: f[3]) ?? Data(), as: UTF8.self)
            if target.hasSuffix("\n") { target.removeLast() }
            kind = .symlink(target)
        default: throw noAnswer(path, "inspect", answer)
        }
        let content: Result<FileSnapshot?, any Error>
        if code == HelperStatus.absent {
            content = .success(nil)
        } else if code != 0 {
            content = .failure(helperFailure(status: code, message: nil, path: path, operation: "read"))
        } else if f.count == 10, f[8].hasPrefix("x"), f[9] == "0", let mode = UInt32(f[5], radix: 8),
            let uid = UInt32(f[6]), let gid = UInt32(f[7]), let data = Data(base64Encoded: String(f[8].dropFirst()))
        {
            content = .success(FileSnapshot(data: data, meta: FileMeta(mode: mode & 0o7777, uid: uid, gid: gid)))
        } else {
            content = .failure(
                SSHTransportError.remoteFailure(
                    node: node.name, path: path, operation: "read", message: "unexpected answer from stat/base64"))
        }
        return PathInspection(kind: .success(kind), content: content)
    }

    /// A helper status mapped as the single calls map theirs.
    func helperFailure(status: Int32, message: String?, path: String, operation: String) -> Error {
        helperFailure(
            CommandResult(argv: [], exitCode: status, stdout: "", stderr: message ?? "", duration: 0, timedOut: false),
            path: path, operation: operation)
    }

    /// The script stopped before answering for `path`: its exit status and last stderr line say why.
    func noAnswer(_ path: String, _ operation: String, _ answer: BatchAnswer) -> Error {
        let why = Self.lastLine(answer.raw.stderr).map { ": \($0)" } ?? ""
        return SSHTransportError.remoteFailure(
            node: node.name, path: path, operation: operation,
            message: "the batch script ended (exit status \(answer.raw.exitCode)) before answering for it\(why)")
    }
}
