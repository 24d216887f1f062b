import ArgumentParser
import BKFix
import Foundation

/// Printing for one command: text or a single JSON document, errors in the right shape, and exit codes.
struct Console {
    let options: GlobalOptions

    var lang: Language { options.language }

    func out(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    /// Writes UTF-8 bytes as they are (a large document, without a String in between).
    func out(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    func err(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }

    func json(_ object: Any) { out(JSONOutput.serialize(object)) }

    /// Runs a command body: prints any error as text or `{"error": ...}`, and exits with bkfix's exit codes.
    func run(_ body: () throws -> ExitStatus) throws {
        let status: ExitStatus
        do {
            try options.checkForks()
            try options.checkPlaybookFolders()
            status = try body()
        } catch let e as ExitCode {
            throw e
        } catch {
            let (exit, code) = ExitStatus.classify(error)
            let message = error.localizedDescription
            if options.json {
                json(JSONOutput.error(code: code, message: message))
            } else {
                err("bkfix: \(message)\n")
            }
            throw ExitCode(exit.rawValue)
        }
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    /// Asks on the TTY for the literal word `yes` (or a release/host name for irreversible steps).
    /// Without a TTY it refuses and says how to confirm.
    func confirm(_ plan: Plan, rollback: Bool = false) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw EngineError.needsConfirmation(hint: Messages.needsYes.text(lang))
        }
        let words = Array(Set(plan.commands.filter { $0.risk == .irreversible }.compactMap(\.confirmWord))).sorted()
        for word in words {
            err(Messages.format(Messages.confirmIrreversible, lang, word))
            guard readLine()?.trimmingCharacters(in: .whitespaces) == word else {
                throw EngineError.confirmationDeclined
            }
        }
        err((rollback ? Messages.confirmRollbackPrompt : Messages.confirmPrompt).text(lang))
        guard readLine()?.trimmingCharacters(in: .whitespaces) == "yes" else { throw EngineError.confirmationDeclined }
    }

    /// Progress of a run on stderr: each step, command output lines with elapsed time (and, on a terminal, a live
    /// status line under a running command), verify results.
    func progress(_ event: ApplyEvent, status: StatusLine) {
        guard !options.json else { return }
        switch event {
        case .stepStarted(let i, let total, let description):
            err("[\(i + 1)/\(total)] \(description)\n")
            status.start(description)
        case .output(_, let line, let elapsed):
            switch line {
            case .stdout(let text), .stderr(let text): status.line(text, elapsed: elapsed)
            }
        case .stepFinished(_, let ok, _):
            status.stop()
            if !ok { err("      failed\n") }
        case .verify(let r):
            err("verify \(r.check) on \(r.host): \(r.ok ? "ok" : "FAILED") — \(r.detail)\n")
        }
    }
}

/// The command line as typed, for the run record and the lock.
var invocation: [String] { ["bkfix"] + CommandLine.arguments.dropFirst() }
