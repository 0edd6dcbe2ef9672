// slipway — Docker
// SPDX-License-Identifier: Apache-2.0

/// One line of a pull, import, load, push or build stream (the engine's `JSONMessage`).
public struct ProgressMessage: Decodable, Sendable, Hashable {
    /// Build output (`Step 1/3 : FROM …`), or `Loaded image: …` for a load.
    public var stream: String?
    /// A status line, e.g. `Pulling fs layer`, `Download complete`, or an imported image ID.
    public var status: String?
    /// The layer or image the status is about.
    public var id: String?
    /// A human-readable progress bar.
    public var progress: String?
    public var progressDetail: ProgressDetail?
    /// Set when the operation failed; the stream throws it as ``DockerError``.
    public var error: String?
    public var errorDetail: ErrorDetail?
    /// Auxiliary data: the built image's ID (`{"ID": "sha256:…"}`).
    public var aux: Aux?

    /// Bytes done and total of a layer download or extraction.
    public struct ProgressDetail: Decodable, Sendable, Hashable {
        public var current: Int64?
        public var total: Int64?
    }

    /// The structured form of ``error``.
    public struct ErrorDetail: Decodable, Sendable, Hashable {
        public var code: Int?
        public var message: String?
    }

    /// The classic builder's auxiliary object; other shapes decode as `nil`.
    public struct Aux: Decodable, Sendable, Hashable {
        public var id: String?

        enum CodingKeys: String, CodingKey {
            case id = "ID"
        }
    }

    enum CodingKeys: String, CodingKey {
        case stream, status, id, progress, progressDetail, error, errorDetail, aux
    }

    public init(stream: String? = nil, status: String? = nil, error: String? = nil) {
        self.stream = stream
        self.status = status
        self.error = error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.stream = try container.decodeIfPresent(String.self, forKey: .stream)
        self.status = try container.decodeIfPresent(String.self, forKey: .status)
        self.id = try container.decodeIfPresent(String.self, forKey: .id)
        self.progress = try container.decodeIfPresent(String.self, forKey: .progress)
        self.progressDetail = try? container.decodeIfPresent(ProgressDetail.self, forKey: .progressDetail)
        self.error = try container.decodeIfPresent(String.self, forKey: .error)
        self.errorDetail = try? container.decodeIfPresent(ErrorDetail.self, forKey: .errorDetail)
        // BuildKit and push put other shapes (a base64 string, {Tag, Digest, Size}) in `aux`.
        self.aux = try? container.decodeIfPresent(Aux.self, forKey: .aux)
    }

    /// The failure this message reports, if any.
    public var failure: String? {
        if let error, !error.isEmpty { return error }
        if let message = self.errorDetail?.message, !message.isEmpty { return message }
        return nil
    }

    /// Throws the reported failure as ``DockerError/Code/operationFailed``.
    static func check(_ message: ProgressMessage) throws(DockerError) {
        if let failure = message.failure {
            throw DockerError(.operationFailed, failure)
        }
    }
}
