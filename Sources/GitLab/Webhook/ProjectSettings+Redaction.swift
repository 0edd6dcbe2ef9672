// slipway — GitLab
// SPDX-License-Identifier: Apache-2.0

// Settings and credentials end up in log metadata and error interpolations ("\(decision)");
// their printed forms show that a secret is set, never the secret.

extension ProjectSettings: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        var text = "ProjectSettings(path: \(self.path)"
        if let id { text += ", id: \(id)" }
        text += ", webhookToken: <redacted>"
        if self.cloneToken != nil { text += ", cloneToken: <redacted>" }
        if let cloneURL { text += ", cloneURL: \(GitRepositoryMirror.scrub(cloneURL, secrets: []))" }
        if !self.variables.isEmpty { text += ", variables: \(self.variables)" }
        return text + ")"
    }

    public var debugDescription: String { self.description }

    public var customMirror: Mirror {
        Mirror(self, children: ["path": self.path, "id": self.id as Any, "variables": self.variables], displayStyle: .struct)
    }
}

extension ProjectVariable: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        self.masked ? "\(self.name)=<masked>" : "\(self.name)=\(self.value)"
    }

    public var debugDescription: String { self.description }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": self.name, "value": self.masked ? "<masked>" : self.value, "masked": self.masked],
               displayStyle: .struct)
    }
}

extension GitCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "GitCredentials(username: \(self.username), token: <redacted>)" }
    public var debugDescription: String { self.description }
    public var customMirror: Mirror { Mirror(self, children: ["username": self.username], displayStyle: .struct) }
}
