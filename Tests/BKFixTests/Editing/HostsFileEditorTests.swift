import Foundation
import Testing

@testable import BKFix

@Suite struct HostsFileEditorTests {
    let hub = "hub.bktencent.com"
    let ip = "49.234.165.79"

    func ensure(
        _ text: String, names: [String]? = nil, ip: String? = nil,
        conflicts: HostsFileEditor.ConflictStyle = .commentOut
    ) throws -> HostsEdit {
        try HostsFileEditor.ensure(
            ip: ip ?? self.ip, names: names ?? [hub], in: Data(text.utf8), path: "/etc/hosts",
            conflicts: conflicts)
    }

    func text(_ edit: HostsEdit) -> String { String(decoding: edit.after, as: UTF8.self) }

    @Test func emptyFileGetsJustTheLine() throws {
        let edit = try ensure("")
        #expect(text(edit) == "49.234.165.79 hub.bktencent.com\n")
        #expect(edit.changed)
        #expect(edit.notes == ["added line 1: \"49.234.165.79 hub.bktencent.com\""])
    }

    @Test func missingNameIsAppendedKeepingEveryOtherByte() throws {
        let before = "127.0.0.1\tlocalhost\n# 蓝鲸 hub\n\n::1     localhost ip6-localhost\n"
        let edit = try ensure(before)
        #expect(text(edit) == before + "49.234.165.79 hub.bktencent.com\n")
        #expect(edit.notes == ["added line 5: \"49.234.165.79 hub.bktencent.com\""])
    }

    @Test func alreadyMappedIsUnchangedByteForByte() throws {
        let before = "127.0.0.1 localhost\n49.234.165.79\thub.bktencent.com   # 上海节点\n"
        let edit = try ensure(before)
        #expect(!edit.changed)
        #expect(edit.after == Data(before.utf8))
        #expect(edit.notes.isEmpty)
    }

    @Test func nameMatchingIsCaseInsensitive() throws {
        let before = "49.234.165.79 HUB.BKTencent.com\n"
        #expect(!(try ensure(before)).changed)
    }

    @Test func crlfFileGetsACrlfLine() throws {
        let before = "127.0.0.1 localhost\r\n10.0.0.1 node1\r\n"
        #expect(text(try ensure(before)) == before + "49.234.165.79 hub.bktencent.com\r\n")
    }

    @Test func missingFinalNewlineStaysMissing() throws {
        let before = "127.0.0.1 localhost\n10.0.0.1 node1"
        #expect(text(try ensure(before)) == before + "\n49.234.165.79 hub.bktencent.com")
        let crlf = "127.0.0.1 localhost\r\n10.0.0.1 node1"
        #expect(text(try ensure(crlf)) == crlf + "\r\n49.234.165.79 hub.bktencent.com")
    }

    @Test func wrongIPAloneIsCommentedOut() throws {
        let before = "127.0.0.1 localhost\n1.2.3.4 hub.bktencent.com\n10.0.0.1 node1\n"
        let edit = try ensure(before)
        #expect(
            text(edit) == """
                127.0.0.1 localhost
                # 1.2.3.4 hub.bktencent.com
                10.0.0.1 node1
                49.234.165.79 hub.bktencent.com

                """)
        #expect(
            edit.notes == [
                "commented out line 2: \"1.2.3.4 hub.bktencent.com\" (hub.bktencent.com pointed to 1.2.3.4)",
                "added line 4: \"49.234.165.79 hub.bktencent.com\"",
            ])
    }

    @Test func wrongIPAloneIsDroppedWhenAsked() throws {
        let before = "127.0.0.1 localhost\r\n1.2.3.4\thub.bktencent.com\r\n10.0.0.1 node1\r\n"
        let edit = try ensure(before, conflicts: .drop)
        #expect(text(edit) == "127.0.0.1 localhost\r\n10.0.0.1 node1\r\n49.234.165.79 hub.bktencent.com\r\n")
        #expect(
            edit.notes.first == "dropped line 2: \"1.2.3.4\thub.bktencent.com\" (hub.bktencent.com pointed to 1.2.3.4)")
    }

    @Test func wrongIPSharedWithOtherNamesLosesOnlyTheTargetName() throws {
        let before = "1.2.3.4\tmirrors.tencent.com  hub.bktencent.com\tbkrepo.local # 旧的\n"
        let edit = try ensure(before)
        #expect(text(edit) == "1.2.3.4\tmirrors.tencent.com\tbkrepo.local # 旧的\n49.234.165.79 hub.bktencent.com\n")
        #expect(
            edit.notes.first
                == "removed hub.bktencent.com from line 1: \"1.2.3.4\tmirrors.tencent.com  hub.bktencent.com\tbkrepo.local # 旧的\" (hub.bktencent.com pointed to 1.2.3.4)"
        )
        // The drop style changes nothing here: the line still serves the other names.
        #expect(try ensure(before, conflicts: .drop).after == edit.after)
    }

    @Test func wrongIPLineWithOnlyTargetNamesIsCommentedAsAWhole() throws {
        let before = "1.2.3.4 hub.bktencent.com docker.bktencent.com\n"
        let edit = try ensure(before, names: [hub, "docker.bktencent.com"])
        #expect(
            text(edit) == "# 1.2.3.4 hub.bktencent.com docker.bktencent.com\n"
                + "49.234.165.79 hub.bktencent.com docker.bktencent.com\n")
        #expect(
            edit.notes.first
                == "commented out line 1: \"1.2.3.4 hub.bktencent.com docker.bktencent.com\" (hub.bktencent.com, docker.bktencent.com pointed to 1.2.3.4)"
        )
    }

    @Test func sameNameOnSeveralLinesIsFixedEverywhere() throws {
        let before = "1.2.3.4 hub.bktencent.com\n49.234.165.79 hub.bktencent.com\n5.6.7.8 hub.bktencent.com\n"
        let edit = try ensure(before)
        #expect(
            text(edit) == "# 1.2.3.4 hub.bktencent.com\n49.234.165.79 hub.bktencent.com\n# 5.6.7.8 hub.bktencent.com\n")
        #expect(edit.notes.count == 2)
    }

    @Test func onlyTheMissingNamesAreAddedAndNeverTwice() throws {
        let before = "49.234.165.79 hub.bktencent.com\n"
        let edit = try ensure(before, names: [hub, "mirrors.bktencent.com", "MIRRORS.bktencent.com", hub])
        #expect(text(edit) == before + "49.234.165.79 mirrors.bktencent.com\n")
        #expect(
            !(try HostsFileEditor.ensure(
                ip: ip, names: [hub, "mirrors.bktencent.com"], in: edit.after,
                path: "/etc/hosts")).changed)
    }

    @Test func commentedOutMappingDoesNotCount() throws {
        let before = "# 49.234.165.79 hub.bktencent.com\n  #1.2.3.4 hub.bktencent.com\n"
        #expect(text(try ensure(before)) == before + "49.234.165.79 hub.bktencent.com\n")
    }

    @Test func ipv6LinesAreUnderstood() throws {
        let before = "::1 localhost ip6-localhost\nfe80::1%eth0 hub.bktencent.com\n"
        let edit = try ensure(before, ip: "2001:db8::10")
        #expect(
            text(edit)
                == "::1 localhost ip6-localhost\n# fe80::1%eth0 hub.bktencent.com\n2001:db8::10 hub.bktencent.com\n")
        // Same address in another spelling is already mapped.
        #expect(!(try ensure("2001:0db8:0:0:0:0:0:10 hub.bktencent.com\n", ip: "2001:db8::10")).changed)
    }

    @Test func malformedLineIsRejectedWithItsNumber() {
        let before = "127.0.0.1 localhost\n\n# ok\nxyz abc\n"
        #expect(throws: HostsFileError.malformedLine(path: "/etc/hosts", line: 4, text: "xyz abc")) {
            try ensure(before)
        }
        #expect(
            HostsFileError.malformedLine(path: "/etc/hosts", line: 7, text: "xyz abc").errorDescription?
                .hasPrefix("/etc/hosts line 7: 'xyz abc' does not start with an IP address") == true)
    }

    @Test func everyAddressIsCheckedEvenAfterManyEqualOnes() {
        let before = String(repeating: "0.0.0.0 ads.example.net\n", count: 500) + "0.0.0.x ads.example.net\n"
        #expect(throws: HostsFileError.malformedLine(path: "/etc/hosts", line: 501, text: "0.0.0.x ads.example.net")) {
            try ensure(before)
        }
    }

    /// A blocklist-sized file with stale mappings at its first line, in the middle and at its unterminated last line:
    /// each is fixed where it is, with its line number, and every other byte is kept.
    @Test func bigBlocklistIsFixedInPlaceWithLineNumbers() throws {
        var lines = (0..<20_000).map { "0.0.0.0 ads-\($0).example.net" }
        lines[0] = "10.0.0.9 hub.bktencent.com"
        lines[10_000] = "10.0.0.9\tHUB.bktencent.com mirrors.example.net"
        lines[19_999] = "10.0.0.9 hub.bktencent.com # old"
        let edit = try ensure(lines.joined(separator: "\n"))
        var expected = lines
        expected[0] = "# " + lines[0]
        expected[10_000] = "10.0.0.9 mirrors.example.net"
        expected[19_999] = "# " + lines[19_999]
        #expect(text(edit) == expected.joined(separator: "\n") + "\n49.234.165.79 hub.bktencent.com")
        #expect(
            edit.notes == [
                "commented out line 1: \"10.0.0.9 hub.bktencent.com\" (hub.bktencent.com pointed to 10.0.0.9)",
                "removed HUB.bktencent.com from line 10001: \"10.0.0.9\tHUB.bktencent.com mirrors.example.net\" "
                    + "(HUB.bktencent.com pointed to 10.0.0.9)",
                "commented out line 20000: \"10.0.0.9 hub.bktencent.com # old\" (hub.bktencent.com pointed to 10.0.0.9)",
                "added line 20001: \"49.234.165.79 hub.bktencent.com\"",
            ])
        #expect(
            try HostsFileEditor.lookup(name: hub, in: edit.after, path: "/etc/hosts") == [ip])
        let dropped = try ensure(lines.joined(separator: "\n") + "\n", conflicts: .drop)
        #expect(dropped.notes.last == "added line 19999: \"49.234.165.79 hub.bktencent.com\"")
    }

    @Test func binaryContentIsRejected() {
        #expect(throws: HostsFileError.binary(path: "/etc/hosts")) {
            try HostsFileEditor.ensure(ip: ip, names: [hub], in: Data([0x31, 0x00, 0x0A]), path: "/etc/hosts")
        }
    }

    @Test func invalidTargetAddressIsRejected() {
        #expect(throws: HostsFileError.invalidAddress("49.234.165.256")) { try ensure("", ip: "49.234.165.256") }
    }

    @Test func lookupListsActiveMappingsInOrder() throws {
        let content = Data(
            """
            1.2.3.4 hub.bktencent.com
            # 9.9.9.9 hub.bktencent.com
            49.234.165.79 other HUB.bktencent.com # inline
            10.0.0.1 hub.bktencent.com.example
            """.utf8)
        #expect(try HostsFileEditor.lookup(name: hub, in: content, path: "/etc/hosts") == ["1.2.3.4", "49.234.165.79"])
        #expect(try HostsFileEditor.lookup(name: "absent", in: content, path: "/etc/hosts") == [])
    }

    @Test func addressValidation() {
        #expect(HostsFileEditor.isValidIPv4("49.234.165.79"))
        #expect(HostsFileEditor.isValidIPv4("0.0.0.0"))
        #expect(!HostsFileEditor.isValidIPv4("256.1.1.1"))
        #expect(!HostsFileEditor.isValidIPv4("01.2.3.4"))
        #expect(!HostsFileEditor.isValidIPv4("1.2.3"))
        #expect(!HostsFileEditor.isValidIPv4("1.2.3.4 "))
        #expect(!HostsFileEditor.isValidIPv4("::1"))
        #expect(HostsFileEditor.isValidIP("::1"))
        #expect(HostsFileEditor.isValidIP("fe80::1%eth0"))
        #expect(HostsFileEditor.isValidIP("::ffff:1.2.3.4"))
        #expect(!HostsFileEditor.isValidIP("hub.bktencent.com"))
        #expect(!HostsFileEditor.isValidIP("1::2::3"))
        #expect(!HostsFileEditor.isValidIP(""))
    }
}
