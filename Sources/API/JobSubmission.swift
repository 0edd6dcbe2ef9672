// slipway — API
// SPDX-License-Identifier: Apache-2.0

import HTTP
import Jobs

/// The body of `POST /v1/jobs`, validated field by field.
///
/// ```json
/// {"name": "build", "image": "docker:27", "script": ["docker build ."],
///  "variables": {"KEY": "value"}, "worker": "host", "timeout": "30m", "project": "group/app"}
/// ```
public struct JobSubmission: Sendable, Hashable {
    public var specification: JobSpecification

    static func isImageReferenceByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "+"): true
        default: false
        }
    }

    static let knownFields: Set<String> = ["name", "image", "script", "variables", "worker", "timeout", "project"]

    /// Limits that keep a single submission from being unreasonable.
    public struct Limits: Sendable {
        public var maxScriptBytes = 1024 * 1024
        public var maxTimeout: Duration = .seconds(7 * 24 * 3600)
        public var defaultTimeout: Duration = .seconds(3600)
        public var defaultWorker: WorkerKind = .dind
        public init() {}
    }

    /// Validates `body`; throws a 400 for malformed JSON and a 422 naming the first bad field.
    public static func parse(_ body: [UInt8], limits: Limits = Limits()) throws(HTTPError) -> JobSubmission {
        guard case .object(let fields) = try JSONValue.parse(body) else {
            throw HTTPError(.unprocessableContent, "the request body must be a JSON object")
        }
        for key in fields.keys.sorted() where !self.knownFields.contains(key) {
            throw invalidField(key, "unknown field; known fields are \(self.knownFields.sorted().joined(separator: ", "))")
        }
        let name = try self.requiredString(fields, "name", maximumLength: 255)
        let image = try self.requiredString(fields, "image", maximumLength: 512)
        // The characters of a Docker image reference (registry host and port, path, tag,
        // digest); anything else, non-ASCII spaces included, the engine would refuse later.
        guard image.utf8.allSatisfy(Self.isImageReferenceByte) else {
            throw invalidField("image", "must be a Docker image reference: ASCII letters, digits and . _ - / : @ + only")
        }

        guard let scriptValue = fields["script"] else { throw invalidField("script", "is required: a list of shell lines") }
        guard case .array(let scriptItems) = scriptValue, !scriptItems.isEmpty else {
            throw invalidField("script", "must be a non-empty list of strings, not \(scriptValue.typeName)")
        }
        var script: [String] = []
        var scriptBytes = 0
        for (index, item) in scriptItems.enumerated() {
            guard case .string(let line) = item else { throw invalidField("script[\(index)]", "must be a string, not \(item.typeName)") }
            scriptBytes += line.utf8.count
            script.append(line)
        }
        guard scriptBytes <= limits.maxScriptBytes else { throw invalidField("script", "is longer than \(limits.maxScriptBytes) bytes") }

        var variables: [String: String] = [:]
        if let value = fields["variables"], value != .null {
            guard case .object(let entries) = value else { throw invalidField("variables", "must be an object of names to strings") }
            for (key, entry) in entries {
                guard Self.isValidVariableName(key) else {
                    throw invalidField("variables.\(key)", "is not a valid variable name (letters, digits and _, not starting with a digit)")
                }
                switch entry {
                case .string(let text): variables[key] = text
                case .number(let number): variables[key] = number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
                case .bool(let flag): variables[key] = flag ? "true" : "false"
                default: throw invalidField("variables.\(key)", "must be a string, not \(entry.typeName)")
                }
            }
        }

        var worker = limits.defaultWorker
        if let value = fields["worker"], value != .null {
            guard case .string(let text) = value, let kind = WorkerKind(rawValue: text) else {
                throw invalidField("worker", "must be \"host\" or \"dind\"")
            }
            worker = kind
        }

        var timeout = limits.defaultTimeout
        if let value = fields["timeout"], value != .null {
            let parsed: Duration?
            switch value {
            case .string(let text): parsed = DurationParsing.parse(text)
            // Bounded before converting: a huge number must be a 422, not an Int64 overflow trap.
            case .number(let seconds): parsed = seconds.isFinite && seconds >= 0 && seconds < 1e12 ? .milliseconds(Int64(seconds * 1000)) : nil
            default: parsed = nil
            }
            guard let parsed else { throw invalidField("timeout", "must be a duration such as \"90s\", \"30m\" or \"1h\", or a number of seconds") }
            guard parsed >= .seconds(1), parsed <= limits.maxTimeout else {
                throw invalidField("timeout", "must be between 1s and \(DurationParsing.format(limits.maxTimeout))")
            }
            timeout = parsed
        }

        var project: String?
        if let value = fields["project"], value != .null {
            guard case .string(let text) = value, !text.isEmpty, text.utf8.count <= 255 else {
                throw invalidField("project", "must be a non-empty string such as \"group/name\"")
            }
            project = text
        }
        return JobSubmission(specification: JobSpecification(
            name: name, image: image, script: script, variables: variables, worker: worker, timeout: timeout, project: project
        ))
    }

    private static func requiredString(_ fields: [String: JSONValue], _ name: String, maximumLength: Int) throws(HTTPError) -> String {
        guard let value = fields[name] else { throw invalidField(name, "is required") }
        guard case .string(let text) = value else { throw invalidField(name, "must be a string, not \(value.typeName)") }
        guard !text.isEmpty else { throw invalidField(name, "must not be empty") }
        guard text.utf8.count <= maximumLength else { throw invalidField(name, "is longer than \(maximumLength) bytes") }
        return text
    }

    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
