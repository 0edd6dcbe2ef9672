// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Testing

@Suite struct VariablesTests {
    @Test(arguments: [
        ("master", "master"),
        ("feature/ABC-123_new thing", "feature-abc-123-new-thing"),
        ("v1.0.0", "v1-0-0"),
        ("-leading-and-trailing-", "leading-and-trailing"),
        ("__x__", "x"),
        ("Ünïcödé", "n-c-d"),
        (String(repeating: "a", count: 70), String(repeating: "a", count: 63)),
        // Cut to 63 first, then the trailing '-' goes: GitLab's order.
        (String(repeating: "a", count: 62) + "/b", String(repeating: "a", count: 62)),
        ("a//b", "a--b"),
        ("", ""),
    ])
    func refSlug(_ name: String, _ slug: String) {
        #expect(PredefinedVariables.slug(name) == slug)
    }

    @Test(arguments: [
        ("Fix the build\n\nLonger text", "Fix the build"),
        ("one line", "one line"),
        ("windows\r\nline", "windows"),
        ("", ""),
    ])
    func commitTitle(_ message: String, _ title: String) {
        #expect(CommitMessage.title(of: message) == title)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("app:$CI_COMMIT_SHORT_SHA", "app:da156088"),
        ("${CI_PROJECT_NAME}-x", "diaspora-x"),
        ("$UNKNOWN/keep", "$UNKNOWN/keep"),
        ("${UNKNOWN}", "${UNKNOWN}"),
        ("cost $$5", "cost $5"),
        ("trailing $", "trailing $"),
        ("$CI_PROJECT_NAME$CI_COMMIT_SHORT_SHA", "diasporada156088"),
    ])
    func expansion(_ text: String, _ expanded: String) {
        let variables = ["CI_COMMIT_SHORT_SHA": "da156088", "CI_PROJECT_NAME": "diaspora"]
        #expect(VariableExpansion.expand(text, with: variables) == expanded)
    }

    @Test func precedence() {
        let resolved = VariableExpansion.resolve(
            base: ["CI_COMMIT_REF_SLUG": "main", "CI_JOB_NAME": "build"],
            yaml: [CIVariable(name: "TAG", value: "app:$CI_COMMIT_REF_SLUG"),
                   CIVariable(name: "FULL", value: "$TAG-$SECRET"),
                   CIVariable(name: "RAW", value: "$TAG", expand: false),
                   CIVariable(name: "SECRET", value: "from-yaml"),
                   CIVariable(name: "CI_JOB_NAME", value: "renamed")],
            overrides: [ProjectVariable(name: "SECRET", value: "from-project", masked: true)])
        #expect(resolved["TAG"] == "app:main")
        #expect(resolved["FULL"] == "app:main-from-project")
        #expect(resolved["RAW"] == "$TAG")
        #expect(resolved["SECRET"] == "from-project", "project variables rank above the file's")
        #expect(resolved["CI_JOB_NAME"] == "renamed", "the file may override predefined variables, as on GitLab")
    }
}

@Suite struct RedactionTests {
    @Test func secretsNeverPrint() {
        let settings = ProjectSettings(path: "g/a", webhookToken: "hook-secret-1", cloneToken: "clone-secret-2",
                                       cloneURL: "https://user:url-secret-3@git.example.com/g/a.git",
                                       variables: [ProjectVariable(name: "K", value: "masked-secret-4", masked: true),
                                                   ProjectVariable(name: "V", value: "visible")])
        let credentials = GitCredentials(token: "clone-secret-2")
        var dumped = ""
        dump(settings, to: &dumped)
        dump(credentials, to: &dumped)
        for text in ["\(settings)", String(reflecting: settings), "\(credentials)", String(reflecting: credentials), dumped] {
            for secret in ["hook-secret-1", "clone-secret-2", "url-secret-3", "masked-secret-4"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(settings)".contains("V=visible"))
    }
}
