// slipway — HTTP
// SPDX-License-Identifier: Apache-2.0

import Sockets

/// One timer per connection covers every deadline: idle (no stream open), write stall (queued
/// output makes no progress), the shutdown notice's round trip, and a once-a-second sweep of
/// the open streams for slow uploads and responses the client stopped reading.
extension HTTP2ServerConnection {
    /// The instant at which something has waited too long.
    var deadline: Instant {
        let server = self.server
        switch self.phase {
        case .draining(let deadline):
            return deadline
        case .closed:
            return .distantFuture
        case .closingAfterFlush:
            return self.lastWriteProgress.advanced(byNanoseconds: server.writeStallTimeout)
        case .open:
            var deadline: Instant
            if self.streams.isEmpty {
                deadline = self.lastStreamActivity.advanced(byNanoseconds: self.streamsServed == 0 ? server.headerTimeout : server.idleTimeout)
            } else {
                deadline = self.nextSweep
            }
            if !self.output.isEmpty {
                deadline = min(deadline, self.lastWriteProgress.advanced(byNanoseconds: server.writeStallTimeout))
            }
            if let shutdownDeadline = self.shutdown.deadline { deadline = min(deadline, shutdownDeadline) }
            return deadline
        }
    }

    func rearmTimer() {
        let deadline = self.deadline
        if let timer = self.timer, !timer.isCancelled, timer.deadline <= deadline {
            return  // it fires early and re-arms; cheaper than rescheduling on every pass
        }
        self.timer?.cancel()
        guard deadline < .distantFuture else {
            self.timer = nil
            return
        }
        // A strong capture: `closeNow` cancels the timer, which drops the closure. (A weak
        // reference would give the connection a side table and make every retain of it slow.)
        self.timer = self.loop.schedule(at: deadline) { self.timerFired() }
    }

    private func timerFired() {
        self.timer = nil
        guard self.socket != nil else { return }
        let now = Instant.now()
        let server = self.server
        let stalled = !self.output.isEmpty && now >= self.lastWriteProgress.advanced(byNanoseconds: server.writeStallTimeout)
        switch self.phase {
        case .draining(let deadline):
            if now >= deadline {
                self.closeNow()
                return
            }
        case .closed:
            return
        case .closingAfterFlush:
            if stalled {
                self.closeNow()
                return
            }
        case .open:
            if stalled {
                self.server.logger.debug("closing an HTTP/2 connection whose peer stopped reading")
                self.closeNow()
                return
            }
            self.perform(self.shutdown.timerFired(now: now))
            if self.streams.isEmpty {
                let limit = self.streamsServed == 0 ? server.headerTimeout : server.idleTimeout
                if now >= self.lastStreamActivity.advanced(byNanoseconds: limit) {
                    // GOAWAY(NO_ERROR) with the last stream id; the session then wants
                    // neither to read nor to write, and the connection closes.
                    self.session.terminate(errorCode: .noError)
                    self.phase = .closingAfterFlush
                }
            } else if now >= self.nextSweep {
                self.sweepStreams(now: now)
                self.nextSweep = now + Self.sweepInterval
            }
        }
        self.sendPass()
    }

    /// Ends streams that have waited too long: an upload slower than the minimum rate (408),
    /// a request whose header block never completes, a response body the client's flow
    /// control has not let through for the write-stall timeout (RST_STREAM CANCEL).
    private func sweepStreams(now: Instant) {
        let server = self.server
        let configuration = server.configuration
        for stream in Array(self.streams.values) {
            let elapsed = now.duration(since: stream.startedAt)
            switch stream.phase {
            case .receivingHeaders:
                if elapsed.nanoseconds >= server.headerTimeout { self.resetStream(stream, .cancel) }
            case .receivingBody:
                guard !stream.answeredEarly, elapsed.nanoseconds >= server.bodyRateGracePeriod else { continue }
                let required = Double(configuration.minimumBodyBytesPerSecond) * elapsed.seconds
                if Double(stream.receivedBodyBytes) < required {
                    let error = HTTPError(.requestTimeout, "the request body arrived slower than \(configuration.minimumBodyBytesPerSecond) bytes per second")
                    self.respondEarly(stream, error.response)
                }
            case .responding:
                if stream.responseBody.count > 0, now >= stream.lastBodyProgress.advanced(byNanoseconds: server.writeStallTimeout) {
                    self.server.logger.debug("resetting an HTTP/2 stream whose response the client stopped reading", metadata: ["stream": "\(stream.id)"])
                    self.resetStream(stream, .cancel)
                }
            case .processing:
                break
            }
        }
    }
}
