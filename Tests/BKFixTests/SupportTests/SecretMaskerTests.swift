import Foundation
import Testing

@testable import BKFix

/// The one masker: each secret shape is hidden and counted; everyday BlueKing output is left alone.
@Suite struct SecretMaskerTests {
    func masked(_ text: String) -> (String, Int) {
        var masker = SecretMasker()
        let out = masker.text(text)
        return (out, masker.count)
    }

    @Test(arguments: [
        ("  password: s3cr3t\n", "  password: ******\n"),
        (#"rootPassword: "a b c""#, #"rootPassword: "******""#),
        ("mysql.auth.rootPassword: 'x'", "mysql.auth.rootPassword: '******'"),
        (#"{"bk_app_secret": "xyz", "user": "admin"}"#, #"{"bk_app_secret": "******", "user": "admin"}"#),
        ("MYSQL_ROOT_PASSWORD=abc123", "MYSQL_ROOT_PASSWORD=******"),
        ("export REDIS_PASSWD=abc", "export REDIS_PASSWD=******"),
        ("db_pwd: p1", "db_pwd: ******"),
        ("accessKey: AKIDxyz", "accessKey: ******"),
        ("apikey=k1", "apikey=******"),
        ("secret_key: k1", "secret_key: ******"),
        ("token: t0k", "token: ******"),
        ("aws_credentials: c1", "aws_credentials: ******"),
        ("helm upgrade --set auth.token=abc x", "helm upgrade --set auth.token=****** x"),
        ("mysql -uroot --password hunter2 -h db", "mysql -uroot --password ****** -h db"),
        ("mysql://root:pa55@10.0.0.1:3306/db", "mysql://root:******@10.0.0.1:3306/db"),
        ("https://admin:Blueking%40123@bkrepo.example.com/", "https://admin:******@bkrepo.example.com/"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc.def", "Authorization: Bearer ******"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ******"),
    ])
    func aSecretShapeIsMaskedAndCounted(_ text: String, _ expected: String) {
        let (out, count) = masked(text)
        #expect(out == expected)
        #expect(count == 1)
    }

    @Test func bothSidesOfAValuesSetNoteAreMasked() {
        #expect(masked("mysql.password: old1 → new2") == ("mysql.password: ****** → ******", 2))
        #expect(masked("password: (unset) → new2").1 == 2)
    }

    @Test func aLongBase64RunIsMaskedWhereverItIs() {
        let key = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBeGZ3"
        #expect(masked("    client-key-data: \(key)\n") == ("    client-key-data: ******\n", 1))
        #expect(masked("ca.crt: \(key)").0 == "ca.crt: ******")
    }

    @Test func hexDigestsAndOneCaseRunsAreLeftAloneBeforeAnyRegex() {
        var masker = SecretMasker()
        let commit = "3f2a9c0d1e4b5a6978a1b2c3d4e5f60718293a4b"
        let words = "abcdefghijklmnopqrstuvwxyz0123456789abcdefgh"
        let secret = "QmFzZTY0IGVuY29kZWQgc2VjcmV0IHZhbHVlIGhlcmUgOTk5"
        #expect(!SecretMasker.mayHoldSecret(Array(commit.utf8), 0, commit.utf8.count))
        #expect(!SecretMasker.mayHoldSecret(Array(words.utf8), 0, words.utf8.count))
        #expect(SecretMasker.mayHoldSecret(Array(secret.utf8), 0, secret.utf8.count))
        #expect(masker.text("commit \(commit)\n\(words)") == "commit \(commit)\n\(words)")
        #expect(masker.text("x " + secret) == "x ******")
        #expect(masker.count == 1)
    }

    @Test func hundredKilobyteLinesAreMaskedWholeOrLeftAlone() {
        // Such lines once made the URL pattern quadratic and overflowed ICU's backtracking stack (no match at all).
        let letters = String(repeating: "x", count: 100_000)
        #expect(masked(letters + "\n" + letters) == (letters + "\n" + letters, 0))
        let blob = String(repeating: "aZ9+", count: 30_000)
        #expect(masked("data: " + blob + "==") == ("data: ******", 1))
        let url = "h://" + String(repeating: "u", count: 100_000)
        #expect(masked(url).1 == 0)
    }

    @Test(arguments: [
        "image: hub.bktencent.com/blueking/bk-apigateway-apigateway:1.13.5",
        "bk-mysql-mysql-0.bk-mysql-mysql-headless.blueking.svc.cluster.local",
        "    Image ID:  docker-pullable://hub.bktencent.com/blueking/mysql@sha256:"
            + "3f2a6c5c0a1b7d9e4f8a2b6c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e",
        "    Container ID:  containerd://" + String(repeating: "4e1f0c3a9b2d", count: 5) + "1a2b",
        "commit 5335e4b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e1f3",
        "uid: 2f0e1d7c-3b4a-4c5d-8e9f-0a1b2c3d4e5f",
        "  - key: node-role.kubernetes.io/master",
        "PWD=/root",
        "tokenTTL: 3600",
        "passwordPolicy: strong",
        "existingSecret: bk-mysql-secret",
        "password: {{ .Values.mysql.password }}",
        #"password: """#,
        "      MYSQL_PASSWORD:  <set to the key 'password' in secret 'bk-mysql'>  Optional: false",
        "requirePassword: true",
        "  secret:\n    secretName: bk-tls",
        "/data/bkce/blueking/environments/default/bkci/bkci-values.yaml.gotmpl",
        "--- a/data/bkce/blueking/environments/default/elasticsearch-custom-values.yaml.gotmpl",
        "bk-elastic-elasticsearch-master-0   0/1   CrashLoopBackOff   7 (2m ago)   1h",
        "keyFile: /etc/ssl/private/server.key",
        "Error: UPGRADE FAILED: timed out waiting for the condition",
    ])
    func everydayBlueKingOutputIsLeftAlone(_ text: String) {
        #expect(masked(text) == (text, 0))
    }

    @Test func anAlreadyMaskedValueIsCountedOnceWhereItIsShown() {
        var masker = SecretMasker()
        let once = masker.text("password: x\n")
        let twice = masker.text(once)
        #expect(twice == "password: ******\n")
        #expect(masker.count == 2)  // shown twice, so counted twice
        #expect(masked(once).1 == 1)
    }

    @Test func valuesUnderASecretKeyAreMaskedWholeAndArgvFlagsHideTheNextWord() {
        var masker = SecretMasker()
        #expect(masker.value("a b c", key: "db_password") == "******")
        #expect(masker.value("bk-elastic", key: "release") == "bk-elastic")
        #expect(masker.value("true", key: "requirePassword") == "true")
        #expect(
            masker.argv(["mysql", "--password", "x y", "-h", "db"]) == ["mysql", "--password", "******", "-h", "db"])
        #expect(masker.argv(["--token=abc"]) == ["--token=******"])
        #expect(masker.count == 3)
        #expect(masker.summary(.en) == "masked 3 secret-looking values")
        #expect(SecretMasker().summary(.en) == nil)
    }

    @Test func aJSONDocumentIsMaskedThroughoutAndCountsItsValues() throws {
        var masker = SecretMasker()
        let doc: [String: Any] = [
            "params": ["release": "bk-mysql", "admin_password": "Blue@King1"],
            "notes": ["mysql.password: a → b"],
            "argv": ["helm", "--password", "p"],
            "nested": [["url": "https://u:p@h/"]],
        ]
        let out = try #require(masker.json(doc) as? [String: Any])
        #expect((out["params"] as? [String: String]) == ["release": "bk-mysql", "admin_password": "******"])
        #expect((out["notes"] as? [String]) == ["mysql.password: ****** → ******"])
        #expect((out["argv"] as? [String]) == ["helm", "--password", "******"])
        #expect(((out["nested"] as? [[String: String]])?.first?["url"]) == "https://u:******@h/")
        #expect(masker.count == 5)
    }

    @Test(arguments: [
        ("rootPassword", true), ("MYSQL_ROOT_PASSWORD", true), ("bk_app_secret", true), ("accessKey", true),
        ("--db-password", true), ("\"token\"", true), ("privatekey", true), ("dbPwd", true),
        ("key", false), ("PWD", false), ("monkey", false), ("tokenTTL", false), ("existingSecretPasswordKey", false),
        ("secretName", false), ("keyFile", false), ("release", false),
    ])
    func secretKeyNames(_ name: String, _ secret: Bool) {
        #expect(SecretMasker.isSecretKey(name) == secret)
    }
}
