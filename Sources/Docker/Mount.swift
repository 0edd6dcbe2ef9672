// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// A mount in `HostConfig.Mounts`. Prefer this to `Binds`: a bind mount whose source is
/// missing is an error here, where `Binds` silently creates a directory in its place (the
/// trap where the Docker socket turns into a directory).
public struct Mount: Codable, Sendable, Hashable {
    /// `bind`, `volume`, `tmpfs` or `npipe`.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let bind = Kind(rawValue: "bind")
        public static let volume = Kind(rawValue: "volume")
        public static let tmpfs = Kind(rawValue: "tmpfs")
        public static let npipe = Kind(rawValue: "npipe")
    }

    /// Options of a `bind` mount.
    public struct BindOptions: Codable, Sendable, Hashable {
        /// `private`, `rprivate`, `shared`, `rshared`, `slave`, `rslave`.
        public var propagation: String?
        public var nonRecursive: Bool?

        public init(propagation: String? = nil, nonRecursive: Bool? = nil) {
            self.propagation = propagation
            self.nonRecursive = nonRecursive
        }

        enum CodingKeys: String, CodingKey {
            case propagation = "Propagation"
            case nonRecursive = "NonRecursive"
        }
    }

    /// Options of a `volume` mount.
    public struct VolumeOptions: Codable, Sendable, Hashable {
        /// Do not copy the image's content at the target into a new volume.
        public var noCopy: Bool?
        /// Labels of a volume created by this mount.
        public var labels: [String: String]?
        public var driverConfig: DriverConfig?

        public init(noCopy: Bool? = nil, labels: [String: String]? = nil, driverConfig: DriverConfig? = nil) {
            self.noCopy = noCopy
            self.labels = labels
            self.driverConfig = driverConfig
        }

        /// The volume driver and its options, for a volume this mount creates.
        public struct DriverConfig: Codable, Sendable, Hashable {
            public var name: String?
            public var options: [String: String]?

            public init(name: String? = nil, options: [String: String]? = nil) {
                self.name = name
                self.options = options
            }

            enum CodingKeys: String, CodingKey {
                case name = "Name"
                case options = "Options"
            }
        }

        enum CodingKeys: String, CodingKey {
            case noCopy = "NoCopy"
            case labels = "Labels"
            case driverConfig = "DriverConfig"
        }
    }

    /// Options of a `tmpfs` mount.
    public struct TmpfsOptions: Codable, Sendable, Hashable {
        public var sizeBytes: Int64?
        /// Permission bits, e.g. `0o1777`.
        public var mode: Int?

        public init(sizeBytes: Int64? = nil, mode: Int? = nil) {
            self.sizeBytes = sizeBytes
            self.mode = mode
        }

        enum CodingKeys: String, CodingKey {
            case sizeBytes = "SizeBytes"
            case mode = "Mode"
        }
    }

    public var type: Kind
    /// Host path (bind), volume name (volume; empty or `nil` for an anonymous volume).
    public var source: String?
    /// Path in the container.
    public var target: String
    public var readOnly: Bool?
    public var bindOptions: BindOptions?
    public var volumeOptions: VolumeOptions?
    public var tmpfsOptions: TmpfsOptions?

    public init(type: Kind, source: String? = nil, target: String, readOnly: Bool? = nil, bindOptions: BindOptions? = nil, volumeOptions: VolumeOptions? = nil, tmpfsOptions: TmpfsOptions? = nil) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.bindOptions = bindOptions
        self.volumeOptions = volumeOptions
        self.tmpfsOptions = tmpfsOptions
    }

    /// A host path at `target`; the source must exist.
    public static func bind(_ source: String, at target: String, readOnly: Bool = false) -> Mount {
        Mount(type: .bind, source: source, target: target, readOnly: readOnly ? true : nil)
    }

    /// A named volume (created on demand), or an anonymous one when `name` is `nil` (removed
    /// with the container only when it is removed with `removeVolumes`).
    public static func volume(_ name: String?, at target: String, readOnly: Bool = false, labels: [String: String]? = nil) -> Mount {
        Mount(type: .volume, source: name, target: target, readOnly: readOnly ? true : nil, volumeOptions: labels.map { VolumeOptions(labels: $0) })
    }

    /// A tmpfs at `target`.
    public static func tmpfs(at target: String, sizeBytes: Int64? = nil, mode: Int? = nil) -> Mount {
        Mount(type: .tmpfs, target: target, tmpfsOptions: sizeBytes == nil && mode == nil ? nil : TmpfsOptions(sizeBytes: sizeBytes, mode: mode))
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type"
        case source = "Source"
        case target = "Target"
        case readOnly = "ReadOnly"
        case bindOptions = "BindOptions"
        case volumeOptions = "VolumeOptions"
        case tmpfsOptions = "TmpfsOptions"
    }
}
