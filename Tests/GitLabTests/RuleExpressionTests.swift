// slipway — GitLab tests
// SPDX-License-Identifier: Apache-2.0

import GitLab
import Testing

@Suite struct RuleExpressionTests {
    static let variables: [String: String] = [
        "CI_COMMIT_BRANCH": "main",
        "CI_PIPELINE_SOURCE": "push",
        "CI_COMMIT_REF_NAME": "main",
        "CI_COMMIT_MESSAGE": "Fix build\n\nDetails",
        "EMPTY": "",
        "RELEASE_PATTERN": "/^release-\\d+$/",
        "BAD_PATTERN": "release-*",
        "UPPER": "MAIN",
        "PATH_LIKE": "a/b/c",
        "QUOTE": "it's",
    ]

    /// (expression, expected result) for valid expressions.
    static let valid: [(String, Bool)] = [
        ("$CI_COMMIT_BRANCH", true),
        ("$UNDEFINED", false),
        ("$EMPTY", false),
        ("${CI_COMMIT_BRANCH}", true),
        (#"$CI_COMMIT_BRANCH == "main""#, true),
        ("$CI_COMMIT_BRANCH == 'main'", true),
        (#"$CI_COMMIT_BRANCH == "develop""#, false),
        (#"$CI_COMMIT_BRANCH != "develop""#, true),
        (#""main" == $CI_COMMIT_BRANCH"#, true),
        ("$CI_COMMIT_BRANCH == $CI_COMMIT_REF_NAME", true),
        ("$UNDEFINED == null", true),
        ("$UNDEFINED != null", false),
        ("$CI_COMMIT_BRANCH == null", false),
        ("$EMPTY == null", false),
        (#"$EMPTY == """#, true),
        (#"$UNDEFINED == """#, false),
        ("$CI_COMMIT_BRANCH =~ /^ma/", true),
        ("$CI_COMMIT_BRANCH =~ /^MA/", false),
        ("$CI_COMMIT_BRANCH =~ /^MA/i", true),
        ("$UPPER =~ /main/i", true),
        ("$CI_COMMIT_BRANCH !~ /^feature/", true),
        ("$CI_COMMIT_BRANCH !~ /ai/", false),
        ("$UNDEFINED =~ /.*/", false),
        ("$UNDEFINED !~ /.*/", true),
        ("$CI_COMMIT_MESSAGE =~ /^Details$/", false),
        ("$CI_COMMIT_MESSAGE =~ /^Details$/m", true),
        ("$CI_COMMIT_MESSAGE =~ /build.Details/", false),
        ("$CI_COMMIT_MESSAGE =~ /build.+Details/s", true),
        (#"$PATH_LIKE =~ /^a\/b/"#, true),
        (#"$PATH_LIKE =~ /\d/"#, false),
        ("$QUOTE == \"it's\"", true),
        (#""release-12" =~ $RELEASE_PATTERN"#, true),
        (#""release-x" =~ $RELEASE_PATTERN"#, false),
        (#""release-1" =~ $BAD_PATTERN"#, false),
        (#"$CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "push""#, true),
        (#"$CI_COMMIT_BRANCH == "main" && $CI_PIPELINE_SOURCE == "api""#, false),
        (#"$CI_COMMIT_BRANCH == "x" || $CI_PIPELINE_SOURCE == "push""#, true),
        (#"$CI_COMMIT_BRANCH == "x" || $CI_PIPELINE_SOURCE == "api""#, false),
        // && binds tighter than ||: true || (false && false)
        (#"$CI_COMMIT_BRANCH == "main" || $UNDEFINED && $EMPTY"#, true),
        // parentheses change it: (true || false) && false
        (#"($CI_COMMIT_BRANCH == "main" || $UNDEFINED) && $EMPTY"#, false),
        (#"(($CI_COMMIT_BRANCH))"#, true),
        (#"$CI_PIPELINE_SOURCE == "merge_request_event" || ($CI_COMMIT_BRANCH && $CI_COMMIT_BRANCH =~ /^ma/)"#, true),
        ("  $CI_COMMIT_BRANCH   ==   'main'  ", true),
        ("$CI_COMMIT_BRANCH==\"main\"&&$CI_PIPELINE_SOURCE", true),
    ]

    @Test(arguments: Self.valid)
    func evaluates(_ expression: String, _ expected: Bool) throws {
        let parsed = try RuleExpression.parse(expression)
        #expect(parsed.evaluate(Self.variables) == expected, "\(expression)")
    }

    /// (expression, a fragment of the error message).
    static let invalid: [(String, String)] = [
        ("", "empty"),
        ("   ", "empty"),
        ("$", "not followed by a variable name"),
        ("CI_COMMIT_BRANCH", "unexpected `CI_COMMIT_BRANCH`"),
        (#"$A = "x""#, "unknown operator `= `"),
        (#"$A === "x""#, "unknown operator"),
        (#"$A == "x"#, "unterminated string"),
        ("$A == 'x", "unterminated string"),
        ("$A =~ /abc", "unterminated regex"),
        ("$A =~ /a(b/", "invalid regex"),
        ("$A =~ /abc/g", "unknown regex flag 'g'"),
        ("$A =~ //", "empty regex"),
        (#"$A =~ "abc""#, "must be a /regex/"),
        ("$A =~ null", "must be a /regex/"),
        ("/abc/ =~ $A", "goes on the right"),
        ("$A == /abc/", "use =~ or !~"),
        ("null =~ /x/", "null cannot be matched"),
        ("$A &&", "ends where a condition was expected"),
        ("&& $A", "expected a value"),
        ("$A & $B", "use &&"),
        ("$A | $B", "use ||"),
        ("($A", "missing `)`"),
        ("$A)", "unexpected )"),
        ("()", "expected a value"),
        ("$A $B", "unexpected $B"),
        (#""main""#, "is not a condition"),
        ("null", "is not a condition"),
        ("$A ==", "has no right-hand side"),
        ("${A", "unclosed ${"),
        ("$A == true", "unexpected `true`"),
        ("!$A", "unknown operator"),
    ]

    @Test(arguments: Self.invalid)
    func rejects(_ expression: String, _ fragment: String) {
        do {
            let parsed = try RuleExpression.parse(expression)
            Issue.record("\(expression) parsed as \(parsed)")
        } catch let error as GitLabError {
            #expect(error.code == .configError)
            #expect(error.keyword == "rules:if")
            #expect(error.message.contains(fragment), "\(expression): \(error.message)")
        } catch {
            Issue.record("\(expression): unexpected \(error)")
        }
    }

    @Test func parsesIntoTheExpectedTree() throws {
        let parsed = try RuleExpression.parse(#"$A == "x" || $B && $C =~ /y/i"#)
        let pattern = try RulePattern(source: "y", flags: "i")
        #expect(parsed == .or(
            .comparison(.variable("A"), .equals, .string("x")),
            .and(.present("B"), .comparison(.variable("C"), .matches, .pattern(pattern)))))
    }
}
