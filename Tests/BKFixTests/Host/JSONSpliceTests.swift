import Foundation
import Testing

@testable import BKFix

@Suite struct JSONSpliceTests {
    let mirrors = ["http://127.0.0.1:5000", "https://hub-mirror.c.163.com"]

    @Test(arguments: ["2space", "4space", "tab", "oneline"])
    func settingMirrorsKeepsTheFilesIndentationStyle(_ name: String) throws {
        let input = try Fixtures.data("host/daemon/\(name).json")
        let expected = try Fixtures.text("host/daemon/\(name).expected.json")
        let splice = try JSONSplice(file: "/etc/docker/daemon.json", data: input)
        let output = try splice.setting("registry-mirrors", to: mirrors)
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test func detectsEachIndentationStyle() throws {
        #expect(
            try JSONSplice(file: "f", data: Fixtures.data("host/daemon/2space.json")).style == .multiLine(indent: "  "))
        #expect(
            try JSONSplice(file: "f", data: Fixtures.data("host/daemon/4space.json")).style
                == .multiLine(indent: "    "))
        #expect(
            try JSONSplice(file: "f", data: Fixtures.data("host/daemon/tab.json")).style == .multiLine(indent: "\t"))
        #expect(try JSONSplice(file: "f", data: Fixtures.data("host/daemon/oneline.json")).style == .oneLine)
    }

    @Test func keysInNonAlphabeticalOrderStayInThatOrder() throws {
        let input = try Fixtures.data("host/daemon/2space.json")
        let output = try JSONSplice(file: "f", data: input).setting("registry-mirrors", to: mirrors)
        let keys = try JSONSplice(file: "f", data: output).keys
        #expect(keys == ["storage-driver", "data-root", "registry-mirrors", "max-concurrent-downloads", "log-opts"])
    }

    @Test func bytesOutsideTheEditedValueAreUntouched() throws {
        let input = try Fixtures.text("host/daemon/4space.json")
        let output = String(
            decoding: try JSONSplice(file: "f", data: Data(input.utf8)).setting("registry-mirrors", to: mirrors),
            as: UTF8.self)
        let inLines = input.components(separatedBy: "\n")
        let outLines = output.components(separatedBy: "\n")
        #expect(inLines.count == outLines.count)
        let changed = zip(inLines, outLines).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(changed == [3])
    }

    @Test func aNewKeyIsAppendedAfterTheLastMember() throws {
        let input = Data("{\n  \"data-root\": \"/data/docker\"\n}\n".utf8)
        let output = try JSONSplice(file: "f", data: input).setting("registry-mirrors", to: ["https://a.example"])
        #expect(
            String(decoding: output, as: UTF8.self)
                == "{\n  \"data-root\": \"/data/docker\",\n  \"registry-mirrors\": [\n    \"https://a.example\"\n  ]\n}\n"
        )
    }

    @Test func crlfFilesKeepCRLFLineEnds() throws {
        let input = Data(
            "{\r\n    \"data-root\": \"/data/docker\",\r\n    \"registry-mirrors\": [\r\n        \"https://a\"\r\n    ]\r\n}\r\n"
                .utf8)
        let splice = try JSONSplice(file: "f", data: input)
        #expect(splice.style == .multiLine(indent: "    "))
        let replaced = try splice.setting("registry-mirrors", to: ["https://b", "https://c"])
        #expect(
            String(decoding: replaced, as: UTF8.self)
                == "{\r\n    \"data-root\": \"/data/docker\",\r\n    \"registry-mirrors\": [\r\n        \"https://b\",\r\n        \"https://c\"\r\n    ]\r\n}\r\n"
        )
        let added = try splice.setting("live-restore", to: true)
        #expect(String(decoding: added, as: UTF8.self).hasSuffix("    ],\r\n    \"live-restore\": true\r\n}\r\n"))
    }

    @Test(arguments: ["2space", "4space", "tab", "oneline"])
    func everyEditParsesAndLeavesOtherKeysEqual(_ name: String) throws {
        let input = try Fixtures.data("host/daemon/\(name).json")
        let original = try #require(try JSONSerialization.jsonObject(with: input) as? [String: Any])
        let values: [Any] = ["x", 7, true, ["a", "b"], [String](), ["k": "v"], ["nested": ["l": [1, 2]]]]
        for key in ["registry-mirrors", "data-root", "brand-new"] {
            for value in values {
                let output = try JSONSplice(file: "f", data: input).setting(key, to: value)
                let edited = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
                #expect(JSONSplice.equal(edited[key] as Any, value), "\(name): \(key) = \(value)")
                for (other, old) in original where other != key {
                    #expect(JSONSplice.equal(edited[other] as Any, old), "\(name): \(other) changed")
                }
                #expect(Array(edited.keys).count == original.keys.count + (original[key] == nil ? 1 : 0))
            }
        }
    }

    @Test func emptyObjectsGetTheKey() throws {
        let oneLine = try JSONSplice(file: "f", data: Data("{}\n".utf8)).setting("live-restore", to: true)
        #expect(String(decoding: oneLine, as: UTF8.self) == "{\"live-restore\": true}\n")
        let multi = try JSONSplice(file: "f", data: Data("{\n}\n".utf8)).setting("max-concurrent-downloads", to: 10)
        #expect(String(decoding: multi, as: UTF8.self) == "{\n  \"max-concurrent-downloads\": 10\n}\n")
    }

    @Test func anEqualValueLeavesTheBytesAsTheyAre() throws {
        let input = try Fixtures.data("host/daemon/4space.json")
        let output = try JSONSplice(file: "f", data: input).setting(
            "registry-mirrors", to: ["https://mirror.ccs.tencentyun.com"])
        #expect(output == input)
    }

    @Test func scalarValuesAreRenderedAsJSON() throws {
        let input = try Fixtures.data("host/daemon/4space.json")
        let splice = try JSONSplice(file: "f", data: input)
        let output = String(decoding: try splice.setting("max-concurrent-downloads", to: 3), as: UTF8.self)
        #expect(output.contains("\"max-concurrent-downloads\": 3,\n"))
        let quoted = String(decoding: try splice.setting("data-root", to: "/data/a \"b\""), as: UTF8.self)
        #expect(quoted.contains(#""data-root": "/data/a \"b\"","#))
    }

    @Test func aTrailingCommaIsRefusedAtTheComma() throws {
        let input = try Fixtures.data("host/daemon/trailing-comma.json")
        #expect(
            throws: JSONSpliceError.invalidJSON(
                file: "/etc/docker/daemon.json", line: 3, column: 61, reason: "trailing comma before '}'")
        ) {
            try JSONSplice(file: "/etc/docker/daemon.json", data: input)
        }
    }

    @Test func aCommentIsRefusedWithItsPosition() throws {
        let input = try Fixtures.data("host/daemon/comment.json")
        #expect(
            throws: JSONSpliceError.invalidJSON(
                file: "/etc/docker/daemon.json", line: 2, column: 3, reason: "comments are not allowed in JSON")
        ) {
            try JSONSplice(file: "/etc/docker/daemon.json", data: input)
        }
    }

    @Test func otherInvalidFilesAreRefusedWithTheirPosition() throws {
        func position(_ text: String) -> (Int, Int)? {
            do {
                _ = try JSONSplice(file: "f", data: Data(text.utf8))
                return nil
            } catch JSONSpliceError.invalidJSON(_, let line, let column, _) {
                return (line, column)
            } catch {
                return nil
            }
        }
        #expect(position("{\n  \"a\": [1, 2,]\n}") ?? (0, 0) == (2, 13))
        #expect(position("{\n  'a': 1\n}") ?? (0, 0) == (2, 3))
        #expect(position("{\"a\": 1} x") ?? (0, 0) == (1, 10))
        #expect(position("{\"a\": 1") ?? (0, 0) == (1, 8))
        #expect(position("") ?? (0, 0) == (1, 1))
        #expect(position("{\"a\": tru}") ?? (0, 0) == (1, 7))
    }

    @Test func aTopLevelArrayIsNotAnObject() {
        #expect(throws: JSONSpliceError.notAnObject(file: "f")) { try JSONSplice(file: "f", data: Data("[1]".utf8)) }
    }

    @Test func aDuplicateTopLevelKeyIsRefused() {
        #expect(throws: JSONSpliceError.duplicateKey(file: "f", key: "a", line: 3)) {
            try JSONSplice(file: "f", data: Data("{\n\"a\": 1,\n\"a\": 2\n}".utf8))
        }
    }

    @Test func errorMessagesNameTheFileLineAndColumn() {
        let message =
            JSONSpliceError.invalidJSON(
                file: "/etc/docker/daemon.json", line: 3, column: 61, reason: "trailing comma before '}'"
            )
            .errorDescription ?? ""
        #expect(message.hasPrefix("/etc/docker/daemon.json:3:61: invalid JSON: trailing comma"))
        #expect(message.contains("nothing was written"))
    }

    @Test func aNewFileIsTwoSpaceIndentedWithAFinalNewline() throws {
        let data = try JSONSplice.newFile(key: "registry-mirrors", value: ["https://a.example"])
        #expect(
            String(decoding: data, as: UTF8.self) == "{\n  \"registry-mirrors\": [\n    \"https://a.example\"\n  ]\n}\n"
        )
        #expect(try JSONSerialization.jsonObject(with: data) is [String: Any])
    }
}
