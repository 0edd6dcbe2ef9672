// slipway — DockerGuard
// SPDX-License-Identifier: Apache-2.0

/// `/system/df` for one job: images and the build cache are shared and stay; containers and
/// volumes are only the job's own.
enum DataUsageFilter {
    static func filter(_ body: [UInt8], policy: GuardPolicy) -> [UInt8] {
        guard var document = try? JSONTree.parse(body), case .object = document else {
            // Unreadable: nothing of it is shown rather than everything.
            return Array(#"{"LayersSize":0,"Images":[],"Containers":[],"Volumes":[],"BuildCache":[]}"#.utf8)
        }
        for field in ["Containers", "Volumes"] {
            guard let items = try? document.field(field, in: ""), case .array(let list) = items else {
                document.setField(field, .array([]))
                continue
            }
            let kept = list.filter { item in
                guard let labels = try? item.stringMap("Labels", in: "") else { return false }
                return policy.owns(labels: Dictionary(labels, uniquingKeysWith: { _, last in last }))
            }
            document.setField(field, .array(kept))
        }
        return document.serialized
    }
}
