// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// Image tags normalised the way the engine's reference parser reads them, so that the tag a
/// build recorded and the one `docker rmi` names compare equal: `app`, `app:latest`,
/// `docker.io/library/app:latest` and `index.docker.io/library/app` are one tag.
public enum ImageReference {
    /// The familiar form with a tag (`app:latest`, `registry:5000/team/app:1`); `nil` for a
    /// digest reference, an image ID, or anything that is not a `name[:tag]`.
    public static func normalizedTag(_ reference: String) -> String? {
        guard !reference.isEmpty, !reference.contains("@"), !reference.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }) else { return nil }
        // An image ID (`sha256:…`, or 64 hexadecimal digits) is not a tag.
        if reference.hasPrefix("sha256:") || (reference.utf8.count == 64 && reference.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 || $0 >= 0x61 && $0 <= 0x66 }) {
            return nil
        }
        var name = reference
        var tag = "latest"
        if let colon = reference.lastIndex(of: ":"), !reference[colon...].contains("/") {
            name = String(reference[..<colon])
            tag = String(reference[reference.index(after: colon)...])
            guard !tag.isEmpty else { return nil }
        }
        guard !name.isEmpty, !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("//") else { return nil }
        var components = name.split(separator: "/").map(String.init)
        if components.count > 1, Self.isDomain(components[0]) {
            if components[0] == "docker.io" || components[0] == "index.docker.io" {
                components.removeFirst()
            } else {
                return "\(components.joined(separator: "/")):\(tag)"
            }
        }
        if components.count == 2, components[0] == "library" { components.removeFirst() }
        return "\(components.joined(separator: "/")):\(tag)"
    }

    /// `repository:tag` from the `repo` and `tag` parameters of tag, commit and import.
    public static func normalizedTag(repository: String, tag: String?) -> String? {
        guard !repository.isEmpty else { return nil }
        if let tag, !tag.isEmpty { return self.normalizedTag("\(repository):\(tag)") }
        return self.normalizedTag(repository)
    }

    /// The reference fully qualified (`docker.io/library/app:latest`): sent to the engine when
    /// removing a tag, so that it can only mean that tag and never an image ID prefix.
    public static func qualified(_ normalizedTag: String) -> String {
        let components = normalizedTag.split(separator: "/")
        if components.count > 1, Self.isDomain(String(components[0])) { return normalizedTag }
        return components.count == 1 ? "docker.io/library/\(normalizedTag)" : "docker.io/\(normalizedTag)"
    }

    /// The reference grammar's rule: a first component with a `.` or `:`, or `localhost`.
    private static func isDomain(_ component: String) -> Bool {
        component.contains(".") || component.contains(":") || component == "localhost"
    }
}
