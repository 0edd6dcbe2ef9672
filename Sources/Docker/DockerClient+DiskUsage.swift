// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

extension DockerClient {
    /// A volume's disk usage, as `GET /system/df` reports it.
    public struct VolumeUsage: Decodable, Sendable, Hashable {
        public var name: String
        /// Bytes used; `nil` (the engine's -1) when it could not measure the volume.
        public var size: Int64?
        /// Containers that use it; `nil` when unknown.
        public var referenceCount: Int?

        enum CodingKeys: String, CodingKey {
            case name = "Name"
            case usageData = "UsageData"
        }

        enum UsageKeys: String, CodingKey {
            case size = "Size"
            case referenceCount = "RefCount"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.name = try container.decode(String.self, forKey: .name)
            if let usage = try? container.nestedContainer(keyedBy: UsageKeys.self, forKey: .usageData) {
                let size = try usage.decodeIfPresent(Int64.self, forKey: .size)
                self.size = size.flatMap { $0 < 0 ? nil : $0 }
                let count = try usage.decodeIfPresent(Int.self, forKey: .referenceCount)
                self.referenceCount = count.flatMap { $0 < 0 ? nil : $0 }
            }
        }
    }

    /// `GET /system/df`, volumes only: how much space each volume uses. The engine walks every
    /// volume to answer, so call it after a job, not on a hot path.
    public func volumeUsage() async throws(DockerError) -> [VolumeUsage] {
        struct DiskUsage: Decodable {
            var volumes: [VolumeUsage]?
            enum CodingKeys: String, CodingKey { case volumes = "Volumes" }
        }
        var query = DockerQuery()
        // Engines from API 1.42 measure only what is asked for; older ones ignore the filter.
        query.add("type", "volume")
        let response = try await self.execute(.get, "/system/df", query: query)
        return try await self.decode(DiskUsage.self, response, operation: self.operation(.get, "/system/df")).volumes ?? []
    }
}
