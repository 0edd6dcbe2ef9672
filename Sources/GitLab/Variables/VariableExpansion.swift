// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// `$VAR` and `${VAR}` references in variable values and `image:`, expanded before the job
/// starts, as GitLab does: a job's shell never expands the *value* of an environment variable,
/// so `TAG: app:$CI_COMMIT_SHORT_SHA` must arrive already expanded.
public enum VariableExpansion {
    /// `text` with every reference to a variable in `variables` replaced by its value. Unknown
    /// references are left as written (the job's shell may still know them); `$$` is a `$`.
    public static func expand(_ text: String, with variables: [String: String]) -> String {
        guard text.contains("$") else { return text }
        let characters = Array(text)
        var result = ""
        var index = 0
        func isName(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
        while index < characters.count {
            let c = characters[index]
            guard c == "$", index + 1 < characters.count else {
                result.append(c)
                index += 1
                continue
            }
            let next = characters[index + 1]
            if next == "$" {
                result.append("$")
                index += 2
            } else if next == "{", let close = characters[(index + 2)...].firstIndex(of: "}") {
                let name = String(characters[(index + 2)..<close])
                result += variables[name] ?? String(characters[index...close])
                index = close + 1
            } else if isName(next) {
                var end = index + 1
                while end < characters.count, isName(characters[end]) { end += 1 }
                let name = String(characters[(index + 1)..<end])
                result += variables[name] ?? String(characters[index..<end])
                index = end
            } else {
                result.append(c)
                index += 1
            }
        }
        return result
    }

    /// The variables a job sees, lowest precedence first: `base` (predefined), then the YAML
    /// variables in order (each expanded against everything before it), then `overrides`
    /// (the project's variables, which GitLab ranks above the file's).
    public static func resolve(base: [String: String], yaml: [CIVariable], overrides: [ProjectVariable]) -> [String: String] {
        var variables = base
        let projectValues = Dictionary(overrides.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        for variable in yaml {
            let context = variables.merging(projectValues) { _, project in project }
            variables[variable.name] = variable.expand ? self.expand(variable.value, with: context) : variable.value
        }
        for (name, value) in projectValues { variables[name] = value }
        return variables
    }
}
