// slipway — WebUI
// SPDX-License-Identifier: Apache-2.0

/// A job log as HTML, for pages read without JavaScript (the script's viewer replaces it): each
/// line a numbered, linkable row; ANSI colours and styles as classes; a carriage return
/// overwrites what came before it on the line, as in a terminal (so GitLab's section markers,
/// which end in `\r\e[0K`, vanish and leave their headers); every other escape sequence is
/// dropped and every character escaped.
enum LogHTML {
    /// The graphic rendition in force: colours 0–15 (`nil`: default) and styles.
    struct Style: Equatable {
        var foreground: Int?
        var background: Int?
        var bold = false
        var italic = false
        var underline = false
        var dim = false

        var isPlain: Bool { self == Style() }

        /// Applies an SGR parameter list (`1;31`, `38;5;9`, `0`, empty = reset).
        mutating func apply(_ parameters: [Int]) {
            var index = 0
            let parameters = parameters.isEmpty ? [0] : parameters
            while index < parameters.count {
                let code = parameters[index]
                switch code {
                case 0: self = Style()
                case 1: self.bold = true
                case 2: self.dim = true
                case 3: self.italic = true
                case 4: self.underline = true
                case 22: self.bold = false; self.dim = false
                case 23: self.italic = false
                case 24: self.underline = false
                case 30...37: self.foreground = code - 30
                case 39: self.foreground = nil
                case 40...47: self.background = code - 40
                case 49: self.background = nil
                case 90...97: self.foreground = code - 90 + 8
                case 100...107: self.background = code - 100 + 8
                case 38, 48:
                    // 256 colours keep their first 16; true colour is left to the script.
                    if index + 2 < parameters.count, parameters[index + 1] == 5 {
                        let colour = parameters[index + 2]
                        if code == 38 { self.foreground = colour < 16 ? colour : nil } else { self.background = colour < 16 ? colour : nil }
                        index += 2
                    } else if index + 4 < parameters.count, parameters[index + 1] == 2 {
                        if code == 38 { self.foreground = nil } else { self.background = nil }
                        index += 4
                    }
                default: break
                }
                index += 1
            }
        }

        func writeClasses(into html: inout HTML) {
            var first = true
            func add(_ name: StaticString) {
                if !first { html.raw(" ") }
                html.raw(name)
                first = false
            }
            if let foreground = self.foreground {
                add("f")
                html.number(foreground)
            }
            if let background = self.background {
                add("g")
                html.number(background)
            }
            if self.bold { add("b") }
            if self.italic { add("i") }
            if self.underline { add("u") }
            if self.dim { add("d") }
        }
    }

    /// One line after escapes and carriage returns: runs of text with their style.
    struct Line {
        var runs: [(style: Style, text: String)] = []
        /// The name of the section this line opens, if it is a `section_start` marker.
        var sectionStart: String?
        /// Whether the line is a `section_end` marker.
        var isSectionEnd = false
        var isEmpty: Bool { self.runs.allSatisfy { $0.text.isEmpty } }
    }

    /// Interprets one line (without its line feed), starting in `style`; `style` ends as the
    /// line leaves it.
    static func parse(_ text: Substring, style: inout Style) -> Line {
        var line = Line()
        line.sectionStart = self.marker("section_start:", in: text)
        line.isSectionEnd = line.sectionStart == nil && self.marker("section_end:", in: text) != nil
        var text = text
        while text.last == "\r" { text.removeLast() }
        var current = ""
        var scalars = text.unicodeScalars[...]
        func flush() {
            if !current.isEmpty { line.runs.append((style, current)) }
            current = ""
        }
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\u{1B}":
                guard let kind = scalars.popFirst() else { break }
                if kind == "[" {
                    var parameters = ""
                    var final: Unicode.Scalar?
                    while let next = scalars.popFirst() {
                        if (0x40...0x7E).contains(next.value) { final = next; break }
                        if parameters.unicodeScalars.count < 64 { parameters.unicodeScalars.append(next) }
                    }
                    if final == "m" {
                        let values = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0.prefix(4)) ?? 0 }
                        flush()
                        style.apply(values)
                    }
                } else if kind == "]" {
                    // An operating system command (titles, hyperlinks): up to BEL or ESC \.
                    while let next = scalars.popFirst() {
                        if next == "\u{07}" { break }
                        if next == "\u{1B}" { _ = scalars.popFirst(); break }
                    }
                }
            case "\r":
                current = ""
                line.runs.removeAll()
            default:
                current.unicodeScalars.append(scalar)
            }
        }
        flush()
        return line
    }

    /// The section name after `prefix` (`section_start:TIME:NAME`), if the line has one.
    static func marker(_ prefix: String, in text: Substring) -> String? {
        guard let range = text.firstRange(of: prefix) else { return nil }
        let rest = text[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let digits = rest[..<colon]
        guard digits.unicodeScalars.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 }) else { return nil }
        let name = rest[rest.index(after: colon)...].unicodeScalars.prefix { scalar in
            let value = scalar.value
            return (value >= 0x30 && value <= 0x39) || (value >= 0x41 && value <= 0x5A) || (value >= 0x61 && value <= 0x7A)
                || scalar == "_" || scalar == "." || scalar == "-"
        }
        return name.isEmpty ? nil : String(String.UnicodeScalarView(name))
    }

    /// Writes `bytes`, whose first line is line `firstLine` (1-based) of the log, as rows of a
    /// `<pre>`. A last line without a line feed is written too.
    static func render(_ bytes: ArraySlice<UInt8>, firstLine: Int, into html: inout HTML) {
        var style = Style()
        var number = firstLine
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            let line = self.parse(text[...], style: &style)
            if !(line.isSectionEnd && line.isEmpty) {
                html.raw("<span class=\"line")
                if line.sectionStart != nil { html.raw(" section") }
                html.raw("\" id=\"L")
                html.number(number)
                html.raw("\"><a class=\"ln\" tabindex=\"-1\" href=\"#L")
                html.number(number)
                html.raw("\">")
                html.number(number)
                html.raw("</a>")
                for run in line.runs {
                    if run.style.isPlain {
                        html.text(run.text)
                    } else {
                        html.raw("<span class=\"")
                        run.style.writeClasses(into: &html)
                        html.raw("\">")
                        html.text(run.text)
                        html.raw("</span>")
                    }
                }
                html.raw("</span>\n")
            }
            number += 1
            start = end < bytes.endIndex ? bytes.index(after: end) : end
        }
    }
}
