// slipway — Compression
// SPDX-License-Identifier: Apache-2.0

extension ContentCoding {
    /// Chooses the coding for a response from the request's `Accept-Encoding`.
    ///
    /// The rule, following RFC 9110 §12.5.3:
    /// 1. No `Accept-Encoding` field: any coding is acceptable, but the client did not ask
    ///    for compression, so `identity` is sent.
    /// 2. An empty field value (or one whose members are all malformed) means the client
    ///    wants no content coding: `identity`.
    /// 3. Otherwise each supported coding gets the quality of the member naming it (`gzip`
    ///    also from `x-gzip`), else of `*`. A coding with quality 0 is not acceptable.
    ///    `identity` is also acceptable when neither it nor `*` is listed, with a
    ///    preference below every listed coding (so `gzip;q=0.001` still selects gzip).
    /// 4. Among acceptable codings the highest quality wins; ties go to the order of
    ///    `supported` (gzip first by default).
    /// 5. `nil` when nothing is acceptable, which with the default `supported` happens only
    ///    when identity is explicitly refused (`identity;q=0`, or `*;q=0` without a
    ///    positive `identity`). The caller then answers 406 Not Acceptable, or sends the
    ///    body as it is anyway, as §12.5.3 also allows.
    ///
    /// - Parameters:
    ///   - acceptEncoding: The field value, with several lines joined by `", "`; `nil`
    ///     when the request has none.
    ///   - supported: The codings the server can produce, in order of preference.
    /// - Returns: The coding to use, or `nil` when none is acceptable.
    public static func negotiate(
        acceptEncoding: String?,
        supported: [ContentCoding] = ContentCoding.responseCodings
    ) -> ContentCoding? {
        guard let acceptEncoding else {
            return supported.contains(.identity) ? .identity : supported.first
        }
        let accepted = AcceptEncoding(parsing: acceptEncoding)
        guard !accepted.members.isEmpty else {
            return supported.contains(.identity) ? .identity : nil
        }

        // (quality, listed, preference): larger quality first, then listed before
        // implicitly acceptable identity, then the server's order.
        var best: (coding: ContentCoding, quality: Int, listed: Bool, preference: Int)?
        for (preference, coding) in supported.enumerated() {
            let candidate: (quality: Int, listed: Bool)
            if let quality = accepted.quality(of: coding) {
                guard quality > 0 else { continue }
                candidate = (quality, true)
            } else if coding == .identity {
                candidate = (0, false)
            } else {
                continue
            }
            if let current = best,
               (current.quality, current.listed ? 1 : 0, -current.preference)
                >= (candidate.quality, candidate.listed ? 1 : 0, -preference) {
                continue
            }
            best = (coding, candidate.quality, candidate.listed, preference)
        }
        return best?.coding
    }
}
