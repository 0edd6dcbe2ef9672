// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF (header values, YAML
    /// scalars and commit titles only ever need these).
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = self.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = self.lastIndex(where: { !isSpace($0) })!
        return String(self[first...last])
    }
}
