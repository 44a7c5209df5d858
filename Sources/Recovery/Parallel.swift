import Dispatch
import Foundation

/// Work spread over the machine's cores in contiguous chunks, its results in order: for work on many
/// independent items, such as the entries of a backup archive, each encoded, hashed or checked alone.
enum Parallel {
    /// `transform` applied to every item, the results in the items' order. The items are cut into contiguous
    /// chunks of at least `minimumChunk`, a few per core; with few items, or one core, it all runs in place.
    static func map<T: Sendable, R: Sendable>(
        _ items: [T], minimumChunk: Int = 512, _ transform: @Sendable (T) -> R
    ) -> [R] {
        let chunks = min(items.count / max(1, minimumChunk), ProcessInfo.processInfo.activeProcessorCount * 4)
        guard chunks > 1 else { return items.map(transform) }
        return [R](unsafeUninitializedCapacity: items.count) { results, count in
            let results = UncheckedPointer(results.baseAddress!)
            items.withUnsafeBufferPointer { items in
                let items = UncheckedBuffer(items)
                // Each chunk initializes its own disjoint range of `results`.
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let start = items.buffer.count * chunk / chunks
                    let end = items.buffer.count * (chunk + 1) / chunks
                    for index in start..<end { (results.pointer + index).initialize(to: transform(items.buffer[index])) }
                }
            }
            count = items.count
        }
    }

    /// A pointer shared by the chunks, each of which writes only its own range.
    private struct UncheckedPointer<R>: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<R>
        init(_ pointer: UnsafeMutablePointer<R>) { self.pointer = pointer }
    }

    /// The items, read by every chunk and written by none.
    private struct UncheckedBuffer<T>: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<T>
        init(_ buffer: UnsafeBufferPointer<T>) { self.buffer = buffer }
    }
}
