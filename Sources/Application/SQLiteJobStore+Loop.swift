// slipway — Application
// SPDX-License-Identifier: Apache-2.0

import API
import Store

/// The store answers the API's event-loop reads (its WAL readers never wait for the writer);
/// stated here, where both modules meet, so Store stays unaware of the API.
extension SQLiteJobStore: JobReadsOnTheLoop {}
