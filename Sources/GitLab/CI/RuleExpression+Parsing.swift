// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

extension RuleExpression {
    /// Parses a `rules:if` expression.
    /// - Throws: ``GitLabError`` (`configError`, keyword `rules:if`) saying what was expected
    ///   and at which column.
    public static func parse(_ text: String) throws -> RuleExpression {
        var parser = Parser(tokens: try Lexer.tokens(of: text), text: text)
        let expression = try parser.parseOr()
        if let token = parser.peek {
            throw parser.error("unexpected \(token.kind.display) at column \(token.column); join conditions with && or ||")
        }
        return expression
    }

    // MARK: - Tokens

    struct Token {
        enum Kind: Equatable {
            case variable(String)
            case string(String)
            case pattern(RulePattern)
            case null
            case comparison(ComparisonOperator)
            case and, or, open, close

            var display: String {
                switch self {
                case .variable(let name): "$\(name)"
                case .string(let value): "\"\(value)\""
                case .pattern(let pattern): pattern.description
                case .null: "null"
                case .comparison(let op): op.rawValue
                case .and: "&&"
                case .or: "||"
                case .open: "("
                case .close: ")"
                }
            }
        }

        var kind: Kind
        /// 1-based, in characters.
        var column: Int
    }

    enum Lexer {
        static func tokens(of text: String) throws -> [Token] {
            let characters = Array(text)
            var tokens: [Token] = []
            var index = 0
            func fail(_ message: String) -> GitLabError {
                GitLabError(.configError, "invalid rules:if expression `\(text)`: \(message)", keyword: "rules:if")
            }
            func isNameCharacter(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
            while index < characters.count {
                let c = characters[index]
                let column = index + 1
                if c == " " || c == "\t" || c == "\n" || c == "\r" {
                    index += 1
                    continue
                }
                let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
                switch c {
                case "$":
                    var end = index + 1
                    var name: String
                    if next == "{" {
                        guard let close = characters[(index + 2)...].firstIndex(of: "}") else {
                            throw fail("unclosed ${ at column \(column)")
                        }
                        name = String(characters[(index + 2)..<close])
                        end = close + 1
                    } else {
                        while end < characters.count, isNameCharacter(characters[end]) { end += 1 }
                        name = String(characters[(index + 1)..<end])
                    }
                    guard !name.isEmpty, name.allSatisfy(isNameCharacter) else {
                        throw fail("`$` at column \(column) is not followed by a variable name")
                    }
                    tokens.append(Token(kind: .variable(name), column: column))
                    index = end
                case "\"", "'":
                    // GitLab's string lexeme has no escapes: `"[^"]*"` or `'[^']*'`.
                    guard let close = characters[(index + 1)...].firstIndex(of: c) else {
                        throw fail("unterminated string starting at column \(column)")
                    }
                    tokens.append(Token(kind: .string(String(characters[(index + 1)..<close])), column: column))
                    index = close + 1
                case "/":
                    var end = index + 1
                    var source = ""
                    while end < characters.count, characters[end] != "/" {
                        // `\/` is a slash inside the pattern; other escapes go to the regex engine.
                        if characters[end] == "\\", end + 1 < characters.count {
                            source.append(characters[end])
                            source.append(characters[end + 1])
                            end += 2
                        } else {
                            source.append(characters[end])
                            end += 1
                        }
                    }
                    guard end < characters.count else { throw fail("unterminated regex starting at column \(column)") }
                    end += 1
                    var flags = ""
                    while end < characters.count, characters[end].isASCII, characters[end].isLetter {
                        flags.append(characters[end])
                        end += 1
                    }
                    do {
                        tokens.append(Token(kind: .pattern(try RulePattern(source: source, flags: flags)), column: column))
                    } catch {
                        throw fail("\(error.message) at column \(column)")
                    }
                    index = end
                case "=", "!":
                    let op: ComparisonOperator? =
                        switch (c, next) {
                        case ("=", "="): .equals
                        case ("=", "~"): .matches
                        case ("!", "="): .notEquals
                        case ("!", "~"): .notMatches
                        default: nil
                        }
                    guard let op else {
                        throw fail("unknown operator `\(c)\(next.map(String.init) ?? "")` at column \(column) (use ==, !=, =~ or !~)")
                    }
                    tokens.append(Token(kind: .comparison(op), column: column))
                    index += 2
                case "&", "|":
                    guard next == c else { throw fail("`\(c)` at column \(column): use \(c)\(c)") }
                    tokens.append(Token(kind: c == "&" ? .and : .or, column: column))
                    index += 2
                case "(":
                    tokens.append(Token(kind: .open, column: column))
                    index += 1
                case ")":
                    tokens.append(Token(kind: .close, column: column))
                    index += 1
                default:
                    var end = index
                    while end < characters.count, isNameCharacter(characters[end]) { end += 1 }
                    let word = String(characters[index..<max(end, index + 1)])
                    if word == "null" {
                        tokens.append(Token(kind: .null, column: column))
                        index = end
                    } else {
                        throw fail("unexpected `\(word)` at column \(column) (variables start with $, strings are quoted)")
                    }
                }
            }
            return tokens
        }
    }

    // MARK: - Grammar

    /// or := and ("||" and)* ; and := primary ("&&" primary)* ;
    /// primary := "(" or ")" | operand (comparison operand)?
    struct Parser {
        var tokens: [Token]
        var text: String
        var position = 0

        var peek: Token? { self.position < self.tokens.count ? self.tokens[self.position] : nil }

        func error(_ message: String) -> GitLabError {
            GitLabError(.configError, "invalid rules:if expression `\(self.text)`: \(message)", keyword: "rules:if")
        }

        mutating func parseOr() throws -> RuleExpression {
            var left = try self.parseAnd()
            while self.peek?.kind == .or {
                self.position += 1
                left = .or(left, try self.parseAnd())
            }
            return left
        }

        mutating func parseAnd() throws -> RuleExpression {
            var left = try self.parsePrimary()
            while self.peek?.kind == .and {
                self.position += 1
                left = .and(left, try self.parsePrimary())
            }
            return left
        }

        mutating func parsePrimary() throws -> RuleExpression {
            guard let token = self.peek else {
                throw self.error(self.tokens.isEmpty ? "the expression is empty" : "the expression ends where a condition was expected")
            }
            if token.kind == .open {
                self.position += 1
                let inner = try self.parseOr()
                guard self.peek?.kind == .close else {
                    throw self.error("missing `)` for the `(` at column \(token.column)")
                }
                self.position += 1
                return inner
            }
            let left = try self.parseOperand()
            guard let next = self.peek, case .comparison(let op) = next.kind else {
                guard case .variable(let name) = left else {
                    throw self.error("\(token.kind.display) at column \(token.column) is not a condition; compare it with ==, !=, =~ or !~")
                }
                return .present(name)
            }
            self.position += 1
            guard let rightToken = self.peek else { throw self.error("\(op.rawValue) at column \(next.column) has no right-hand side") }
            let right = try self.parseOperand()
            switch op {
            case .equals, .notEquals:
                if case .pattern = left { throw self.error("a regex can only be matched with =~ or !~ (column \(token.column))") }
                if case .pattern = right { throw self.error("use =~ or !~ to match a regex, not \(op.rawValue) (column \(next.column))") }
            case .matches, .notMatches:
                switch left {
                case .pattern: throw self.error("the regex goes on the right of \(op.rawValue) (column \(token.column))")
                case .null: throw self.error("null cannot be matched against a regex (column \(token.column))")
                case .variable, .string: break
                }
                switch right {
                case .pattern, .variable: break
                case .string, .null:
                    throw self.error("the right-hand side of \(op.rawValue) must be a /regex/ or a variable holding one (column \(rightToken.column))")
                }
            }
            return .comparison(left, op, right)
        }

        mutating func parseOperand() throws -> Operand {
            guard let token = self.peek else { throw self.error("the expression ends where a value was expected") }
            self.position += 1
            switch token.kind {
            case .variable(let name): return .variable(name)
            case .string(let value): return .string(value)
            case .null: return .null
            case .pattern(let pattern): return .pattern(pattern)
            default: throw self.error("expected a value at column \(token.column), found \(token.kind.display)")
            }
        }
    }
}
