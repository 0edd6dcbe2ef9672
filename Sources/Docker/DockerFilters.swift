// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

import FoundationEssentials

/// The `filters` query parameter of list, prune and events calls: a JSON
/// `map[string][]string`, e.g. `{"label":["slipway.job=42"],"status":["exited"]}`.
///
/// ```swift
/// let filters = DockerFilters().label("slipway.managed", "true").adding("status", "exited")
/// ```
public struct DockerFilters: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    public private(set) var values: [String: [String]]

    public init(_ values: [String: [String]] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, [String])...) {
        self.values = Dictionary(elements, uniquingKeysWith: +)
    }

    /// Adds `value` under `name` (values of one name are OR-ed by the engine, names AND-ed).
    public func adding(_ name: String, _ value: String) -> DockerFilters {
        var copy = self
        copy.values[name, default: []].append(value)
        return copy
    }

    /// Matches objects carrying label `key` (any value), or `key=value` when `value` is given.
    public func label(_ key: String, _ value: String? = nil) -> DockerFilters {
        self.adding("label", value.map { "\(key)=\($0)" } ?? key)
    }

    public var isEmpty: Bool { self.values.isEmpty }

    /// The JSON text the engine expects, with sorted keys so equal filters give equal URLs.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding [String: [String]] cannot fail.
        let data = (try? encoder.encode(self.values)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
