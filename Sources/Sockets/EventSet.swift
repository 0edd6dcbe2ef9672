// slipway — Sockets
// SPDX-License-Identifier: Apache-2.0

import CSystem

/// Readiness reported by the reactor for one descriptor.
public struct EventSet: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let readable = EventSet(rawValue: EPOLLIN.rawValue)
    public static let writable = EventSet(rawValue: EPOLLOUT.rawValue)
    /// The peer shut down its write side (`EPOLLRDHUP`).
    public static let readHangup = EventSet(rawValue: EPOLLRDHUP.rawValue)
    public static let hangup = EventSet(rawValue: EPOLLHUP.rawValue)
    public static let error = EventSet(rawValue: EPOLLERR.rawValue)
}

/// An object that owns a registered descriptor and reacts to its readiness on the loop thread.
public protocol EventHandler: AnyObject {
    /// Called on the event loop's thread with the events that fired.
    func handleEvents(_ events: EventSet)
}
