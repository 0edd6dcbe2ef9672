// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

/// A variable defined in `.gitlab-ci.yml` (`variables:` globally, on a job or on a rule).
public struct CIVariable: Sendable, Hashable {
    public var name: String
    public var value: String
    /// Whether `$OTHER` references in the value are expanded (`expand: false` turns it off).
    public var expand: Bool

    public init(name: String, value: String, expand: Bool = true) {
        self.name = name
        self.value = value
        self.expand = expand
    }
}
