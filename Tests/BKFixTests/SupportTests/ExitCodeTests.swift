import Foundation
import Testing

@testable import BKFix

/// Every error of bkfix says its own exit status and JSON code (issue 8, item 9): this walks every case of every
/// error type, and checks against the sources that no type and no case is missing from the walk.
@Suite struct ExitCodeTests {
    /// bkfix's, not Swift Testing's `ExitStatus`.
    typealias ExitStatus = BKFix.ExitStatus
    typealias Expectation = (error: any ExitCodedError, status: ExitStatus, code: String)

    static let holder = LockHolder(pid: 1, user: "u", host: "h", command: "c", started: Date(timeIntervalSince1970: 0))
    static let lint = LintIssue(file: "p.yaml", line: 1, message: "bad")

    /// Every case of every error type, with the exit status and code it must give.
    static let all: [Expectation] = [
        (QuantityError.invalid("x", reason: "r"), .badInput, "bad-parameter"),
        (HostsFileError.invalidAddress("x"), .badInput, "bad-parameter"),
        (HostsFileError.malformedLine(path: "/etc/hosts", line: 1, text: "x"), .badInput, "bad-hosts-file"),
        (HostsFileError.binary(path: "/etc/hosts"), .badInput, "bad-hosts-file"),
        (YAMLSpliceError.badRequest(file: "f", reason: "r"), .badInput, "bad-values-file"),
        (YAMLSpliceError.notYAML(file: "f", line: 1, reason: "r"), .badInput, "bad-values-file"),
        (YAMLSpliceError.underTemplate(file: "f", path: "a", line: 1, templateLine: 1), .badInput, "bad-values-file"),
        (YAMLSpliceError.templated(file: "f", path: "a", line: 1), .badInput, "bad-values-file"),
        (YAMLSpliceError.ambiguousTemplate(file: "f", path: "a", line: 1), .badInput, "bad-values-file"),
        (YAMLSpliceError.hitsSequence(file: "f", path: "a", line: 1), .badInput, "bad-values-file"),
        (YAMLSpliceError.notAScalar(file: "f", path: "a", line: 1, found: "map"), .badInput, "bad-values-file"),
        (YAMLSpliceError.scalarInTheWay(file: "f", path: "a", line: 1), .badInput, "bad-values-file"),
        (YAMLSpliceError.verificationFailed(file: "f", reason: "r"), .failure, "internal"),
        (JSONSpliceError.invalidJSON(file: "f", line: 1, column: 1, reason: "r"), .badInput, "bad-json-file"),
        (JSONSpliceError.notAnObject(file: "f"), .badInput, "bad-json-file"),
        (JSONSpliceError.duplicateKey(file: "f", key: "k", line: 1), .badInput, "bad-json-file"),
        (JSONSpliceError.badValue(key: "k", reason: "r"), .badInput, "bad-parameter"),
        (StandInRegistryError.cannotListen("r"), .failure, "demo"),
        (ClusterJSONError.unreadable(command: "kubectl get sc", reason: "r"), .failure, "cluster"),
        (StepError.missingArgument(step: "s", key: "k"), .badInput, "cannot-plan"),
        (StepError.badArgument(step: "s", key: "k", reason: "r"), .badInput, "cannot-plan"),
        (StepError.unknownKind("k"), .badInput, "cannot-plan"),
        (StepError.cannotPlan(step: "s", reason: "r"), .badInput, "cannot-plan"),
        (
            DockerMirrorError.flagConflict(unitFile: "u", line: 1, text: "t", daemonJSON: "d"), .badInput,
            "dockerd-flag-conflict"
        ),
        (DockerMirrorError.noMirrorAnswered(table: []), .failure, "no-mirror-answered"),
        (
            HelmUpgradeError.noNewerHelm(current: "3.9", shipped: nil, source: "s", minimum: "3.12"), .failure,
            "no-newer-helm"
        ),
        (HelmUpgradeError.installDirUnknown, .badInput, "bad-parameter"),
        (FileInstallError.sourceMissing("s"), .badInput, "cannot-plan"),
        (FileInstallError.badMode("m"), .badInput, "bad-parameter"),
        (HostStateError.clockUnreadable(host: "h", reason: "r"), .failure, "clock-unreadable"),
        (HostStateError.serviceMasked(host: "h", unit: "chronyd"), .failure, "service-masked"),
        (HostStateError.timeSyncIneffective(host: "h", offset: 62, service: "s"), .failure, "time-sync-ineffective"),
        (HostStateError.noTimeSync(host: "h"), .failure, "no-time-sync"),
        (HostStateError.ipv6DisabledAtBoot(host: "h"), .failure, "ipv6-disabled-at-boot"),
        (HostStateError.ipv6Unavailable(host: "h"), .failure, "ipv6-unavailable"),
        (PlaybookError.invalid([lint]), .badInput, "invalid-playbook"),
        (PlaybookError.unknownPlaybook(id: "x", suggestions: []), .badInput, "unknown-playbook"),
        (PlaybookError.unknownParam(playbook: "p", name: "n", known: []), .badInput, "bad-parameter"),
        (PlaybookError.badParamValue(name: "ip", value: "010.0.0.9", reason: "r"), .badInput, "bad-parameter"),
        (PlaybookError.missingParam(playbook: "p", name: "n"), .badInput, "bad-parameter"),
        (PlaybookError.malformedParamArgument("x"), .badInput, "bad-parameter"),
        (PlaybookError.duplicateParam(name: "n", values: ["a", "b"]), .badInput, "bad-parameter"),
        (PlaybookError.unknownTarget("t"), .badInput, "bad-parameter"),
        (PlaybookError.unreadable(path: "p", reason: "r"), .badInput, "invalid-playbook"),
        (DemoError.cannotCreate(reason: "r"), .failure, "demo"),
        (DemoError.stepFailed(command: "c", status: 1), .failure, "demo"),
        (StateRepoError.cannotCreate(path: "p", reason: "r"), .failure, "state-repo"),
        (StateRepoError.notWritable(path: "p"), .failure, "state-repo"),
        (StateRepoError.git(operation: "o", code: -1, message: "m"), .failure, "state-repo"),
        (StateRepoError.unrecordablePath(host: "h", path: "p"), .badInput, "unrecordable-path"),
        (StateRepoError.runtimeDirUnusable(path: "p", reason: "r"), .failure, "state-repo"),
        (StateRepoError.corruptRecord(path: "p", commit: "c", reason: "r"), .failure, "state-repo"),
        (StateRepoError.notARepository(path: "p", reason: "r"), .failure, "state-repo"),
        (StateRepoError.brokenHead(path: "p", reason: "r"), .failure, "state-repo"),
        (StateRepoError.missingObject(path: "p", object: "o", what: "w", reason: "r"), .failure, "state-repo"),
        (HelmVersionError.unparsable("x"), .failure, "unreadable-version"),
        (ProcessRunnerError.notFound(command: "c"), .failure, "command-not-found"),
        (ProcessRunnerError.workdirMissing(path: "p"), .failure, "io"),
        (ProcessRunnerError.spawnFailed(argv: ["a"], errno: 1), .failure, "io"),
        (WorkDirError.notAWorkDir("d"), .badInput, "bad-work-dir"),
        (WorkDirError.releaseNotFound(release: "bk-nope", workDir: "w", known: []), .badInput, "bad-parameter"),
        (WorkDirError.noCustomValuesFile(release: "r", helmfile: "h"), .badInput, "bad-work-dir"),
        (ReleasePodsError.kubectlFailed(argv: ["kubectl"], exitCode: 1, stderr: "e"), .failure, "kubectl"),
        (ReleasePodsError.badJSON, .failure, "kubectl"),
        (ClusterDataError.malformedJSON(what: "w", offset: 0, problem: "p"), .failure, "cluster"),
        (KubectlError.failed(argv: ["kubectl"], exitCode: 1, stderr: "e"), .failure, "kubectl"),
        (KubectlError.timedOut(argv: ["kubectl"], seconds: 1), .failure, "kubectl"),
        (KubectlError.undecodable(argv: ["kubectl"], problem: "p"), .failure, "kubectl"),
        (CollectError.cannotCreate(directory: "d", stderr: "e"), .failure, "io"),
        (CollectError.archiveFailed(argv: ["tar"], exitCode: 1, stderr: "e"), .failure, "io"),
        (CatalogError.unreadableDirectory("d"), .badInput, "invalid-case"),
        (CatalogError.invalidYAML(file: "f", line: 1, problem: "p"), .badInput, "invalid-case"),
        (CatalogError.unreadableFile(file: "f", problem: "p"), .badInput, "invalid-case"),
        (CatalogError.missingField(file: "f", line: 1, field: "x"), .badInput, "invalid-case"),
        (CatalogError.invalidField(file: "f", line: 1, field: "x", problem: "p"), .badInput, "invalid-case"),
        (CatalogError.badRegex(file: "f", line: 1, pattern: "(", problem: "p"), .badInput, "invalid-case"),
        (CatalogError.unknownCapture(file: "f", line: 1, name: "n"), .badInput, "invalid-case"),
        (CatalogError.duplicateID(id: "i", files: ["a", "b"]), .badInput, "invalid-case"),
        (CatalogError.several([]), .badInput, "invalid-case"),
        (DefinitionFolderError.missing(option: "--playbooks", path: "p"), .badInput, "bad-definition-folder"),
        (DefinitionFolderError.notAFolder(option: "--playbooks", path: "p"), .badInput, "bad-definition-folder"),
        (DefinitionFolderError.unreadable(option: "--playbooks", path: "p"), .badInput, "bad-definition-folder"),
        (
            DefinitionFolderError.nothingValid(option: "--playbooks", path: "p", kind: "playbook", problems: []),
            .badInput, "bad-definition-folder"
        ),
        (DiagnoseError.unreadable(path: "p", problem: "x"), .badInput, "unreadable-input"),
        (DiagnoseError.noInput, .badInput, "no-input"),
        (DiagnoseError.unknownCase(id: "i", suggestions: []), .badInput, "unknown-case"),
        (DiagnoseError.noFixableFinding(case: "c", found: []), .badInput, "no-fixable-finding"),
        (EngineError.writeDuringPlan(path: "p"), .failure, "internal"),
        (EngineError.stalePlan(host: "h", path: "p"), .refused, "stale-plan"),
        (EngineError.staleDecision(host: "h", command: "c", reason: "r"), .refused, "stale-plan"),
        (EngineError.needsConfirmation(hint: "h"), .refused, "not-confirmed"),
        (EngineError.confirmationDeclined, .refused, "not-confirmed"),
        (EngineError.unknownRun(id: "i"), .badInput, "unknown-run"),
        (EngineError.ambiguousRun(id: "i", matches: []), .badInput, "ambiguous-run"),
        (EngineError.alreadyRolledBack(id: "i", by: "b"), .refused, "already-rolled-back"),
        (EngineError.nothingToRollBack(id: "i"), .refused, "not-rollbackable"),
        (EngineError.changedSinceRun(host: "h", path: "p", runID: "i"), .refused, "changed-since-run"),
        (EngineError.notRollbackable(id: "i", reason: "r"), .refused, "not-rollbackable"),
        (EngineError.nothingToRetry(id: "i"), .refused, "nothing-to-retry"),
        (EngineError.missingPreImage(id: "i", host: "h", path: "p"), .failure, "state-repo"),
        (EngineError.unreadablePlan(path: "p", reason: "r"), .badInput, "bad-plan"),
        (EngineError.badForks(given: 0), .badInput, "bad-option"),
        (EngineError.noRuns(filter: "f"), .badInput, "unknown-run"),
        (EngineError.interruptedRunPending(id: "i"), .refused, "interrupted-run-pending"),
        (AtomicFileError.cannotWrite(path: "p", reason: "r"), .failure, "io"),
        (LockError.held(lockFile: "l", holder: holder), .locked, "locked"),
        (LockError.io(path: "p", reason: "r"), .failure, "io"),
        (ClusterTransportError.badPath("/x"), .badInput, "cannot-plan"),
        (
            ClusterTransportError.unsupported(host: "cluster:c", path: "/p", operation: "delete"), .failure,
            "cannot-plan"
        ),
        (ClusterTransportError.changedWhileApplying(host: "cluster:c", path: "/p"), .refused, "stale-plan"),
        (ClusterTransportError.conflict(host: "cluster:c", path: "/p", stderr: "e"), .refused, "stale-plan"),
        (ClusterTransportError.gone(host: "cluster:c", path: "/p"), .failure, "kubectl"),
        (ClusterTransportError.secretRefused(kind: "secret"), .badInput, "cannot-plan"),
        (ClusterTransportError.failed(argv: ["kubectl"], exitCode: 1, stderr: "e"), .failure, "kubectl"),
        (ClusterTransportError.timedOut(argv: ["kubectl"], seconds: 1), .failure, "kubectl"),
        (KubeValueError.notJSON(what: "w", problem: "p"), .failure, "kubectl"),
        (KubeValueError.notYAML(what: "w", problem: "p"), .failure, "kubectl"),
        (RevertError.noSystemd(reason: "r"), .badInput, "no-systemd"),
        (RevertError.notRevertible(commands: ["c"]), .badInput, "not-revertible"),
        (RevertError.notTemporary(id: "i"), .badInput, "not-temporary"),
        (
            RevertError.alreadyConfirmed(id: "i", by: "b", at: Date(timeIntervalSince1970: 0)), .refused,
            "already-confirmed"
        ),
        (RevertError.alreadyReverted(id: "i", by: "b"), .refused, "already-rolled-back"),
        (TransportError.isDirectory(path: "p"), .badInput, "not-a-file"),
        (TransportError.permissionDenied(path: "p", operation: "o"), .failure, "io"),
        (TransportError.notAFile(path: "p"), .badInput, "not-a-file"),
        (TransportError.io(path: "p", operation: "o", reason: "r"), .failure, "io"),
        (TransportError.symlinkOutsideRoot(path: "p", target: "t"), .badInput, "symlink-outside-root"),
        (TransportError.outsideRoot(path: "p"), .badInput, "outside-root"),
        (TransportError.readOnlyFileSystem(path: "p", operation: "o"), .failure, "read-only-file-system"),
        (InventoryError.unreadable(file: "f", reason: "r"), .badInput, "bad-inventory"),
        (InventoryError.invalid(file: "f", line: 1, message: "m"), .badInput, "bad-inventory"),
        (InventoryError.unknownAddress("a", known: []), .badInput, "bad-inventory"),
        (InventoryError.unknownNode("n", known: []), .badInput, "bad-inventory"),
        (InventoryError.discoveryFailed(reason: "r"), .badInput, "bad-inventory"),
        (SSHTransportError.unreachable(node: "n", destination: "d", message: "m"), .failure, "unreachable"),
        (SSHTransportError.remoteFailure(node: "n", path: "p", operation: "o", message: "m"), .failure, "io"),
        (SSHTransportError.timedOut(node: "n", operation: "o", seconds: 1), .failure, "io"),
        (SSHTransportError.controlDirectoryUnusable(node: "n", path: "p", reason: "r"), .refused, "unsafe-control-dir"),
    ]

    /// The case name of an enum value (`releaseNotFound`, `noInput`).
    static func caseName(_ value: Any) -> String {
        Mirror(reflecting: value).children.first?.label ?? String(describing: value)
    }

    /// Every `enum ...Error` of `Sources/BKFix` and the cases it declares (up to its `errorDescription`).
    static func declaredErrors() throws -> [String: Set<String>] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/BKFix")
        let enumStart = try NSRegularExpression(pattern: #"enum (\w+Error)\b[^{]*\{"#)
        let caseLine = try NSRegularExpression(pattern: #"(?m)^\s*case (\w+)"#)
        var found: [String: Set<String>] = [:]
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = walker?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8) as NSString
            for match in enumStart.matches(in: text as String, range: NSRange(location: 0, length: text.length)) {
                let name = text.substring(with: match.range(at: 1))
                let rest = text.substring(from: match.range.location + match.range.length)
                let body = rest.components(separatedBy: "errorDescription").first ?? rest
                let cases = caseLine.matches(in: body, range: NSRange(body.startIndex..., in: body)).map {
                    (body as NSString).substring(with: $0.range(at: 1))
                }
                found[name] = Set(cases)
            }
        }
        return found
    }

    @Test func everyErrorCaseSaysItsOwnExitStatusAndJSONCode() {
        for e in Self.all {
            let (status, code) = ExitStatus.classify(e.error)
            #expect(status == e.status && code == e.code, "\(type(of: e.error)).\(Self.caseName(e.error))")
            #expect(code != "error")
        }
    }

    @Test func theWalkCoversEveryErrorTypeAndCaseInTheSources() throws {
        var walked: [String: Set<String>] = [:]
        for e in Self.all { walked[String(describing: type(of: e.error)), default: []].insert(Self.caseName(e.error)) }
        let declared = try Self.declaredErrors()
        #expect(declared.count >= 28, "found only \(declared.keys.sorted())")
        for (type, cases) in declared.sorted(by: { $0.key < $1.key }) {
            #expect(
                walked[type] == cases, "\(type): declared \(cases.sorted()), walked \(walked[type]?.sorted() ?? [])")
        }
    }

    @Test func anErrorFromOutsideBKFixIsAnUnexpectedFailure() {
        #expect(ExitStatus.classify(CocoaError(.fileReadUnknown)) == (.failure, "error"))
    }
}
