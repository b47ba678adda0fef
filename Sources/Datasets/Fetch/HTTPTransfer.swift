import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads `source` over http(s) onto the end of `partial`, which already holds `offset` bytes of
/// it: asks for `Range: bytes=offset-` and appends on 206, starts over on a plain 200 (a server
/// that ignores ranges). Bytes are written as they arrive, so a cut connection leaves everything
/// received so far for the next attempt to resume from.
/// - Returns: the size of `partial` afterwards.
/// - Throws: `.transfer` naming the URL and the reason (HTTP status, cut connection, short body).
func httpTransfer(from source: URL, appendingTo partial: URL, offset: Int64,
                  progress: TransferProgress) throws(DatasetError) -> Int64 {
  guard let handle = try? FileHandle(forWritingTo: partial) else {
    throw .io(path: partial.path, reason: "cannot open for appending")
  }
  defer { try? handle.close() }
  do { try handle.truncate(atOffset: UInt64(offset)) } catch {  // also puts the file pointer there
    throw .io(path: partial.path, reason: "cannot position at \(offset): \(error)")
  }
  var request = URLRequest(url: source)
  // The exact bytes, never a transfer-decoded copy: a server that labels a .tar.gz with
  // Content-Encoding: gzip would otherwise have it decompressed on the way, breaking the hashes.
  request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
  if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
  let delegate = AppendingDelegate(handle: handle, offset: offset, progress: progress)
  let queue = OperationQueue()
  queue.maxConcurrentOperationCount = 1  // delegate callbacks strictly one after another
  let configuration = URLSessionConfiguration.ephemeral
  configuration.timeoutIntervalForRequest = 60  // idle time between bytes, not total time
  let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
  session.dataTask(with: request).resume()
  delegate.finished.wait()
  session.finishTasksAndInvalidate()  // the session retains its delegate until invalidated

  let size = (try? handle.offset()).map { Int64($0) } ?? 0
  // 416 to a resume request: the partial file already holds the whole file (the caller verifies).
  if delegate.rangeNotSatisfiable && offset > 0 { return size }
  if let failure = delegate.failure {
    throw .transfer(source: source.absoluteString, reason: "\(failure) after \(size) bytes")
  }
  if let total = delegate.expectedTotal, size != total {
    throw .transfer(source: source.absoluteString, reason: "connection ended at \(size) of \(total) bytes")
  }
  progress.update(size, final: true)
  return size
}

/// Streams a data task into a file handle. Callbacks run on one serial queue, so plain properties
/// are safe; `finished` hands the result back to the waiting caller.
private final class AppendingDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
  let handle: FileHandle
  let offset: Int64
  let progress: TransferProgress
  let finished = DispatchSemaphore(value: 0)
  /// Why the transfer failed, if it did.
  var failure: String?
  /// The server answered 416: nothing lies beyond `offset`.
  var rangeNotSatisfiable = false
  /// Size the whole file will have when the server said so (Content-Range total or offset + length).
  var expectedTotal: Int64?
  private var present: Int64

  init(handle: FileHandle, offset: Int64, progress: TransferProgress) {
    self.handle = handle
    self.offset = offset
    self.progress = progress
    self.present = offset
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                  completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
    guard let http = response as? HTTPURLResponse else {
      failure = "not an HTTP response"
      return completionHandler(.cancel)
    }
    let length = http.expectedContentLength
    switch http.statusCode {
    case 206:
      // Content-Range: bytes <first>-<last>/<total>; resume only if it starts where we stopped.
      let range = (http.value(forHTTPHeaderField: "Content-Range") ?? "")
      let numbers = range.split(whereSeparator: { !$0.isNumber }).compactMap { Int64($0) }
      guard numbers.count == 3, numbers[0] == offset else {
        failure = "server resumed at '\(range)', expected bytes \(offset)-"
        return completionHandler(.cancel)
      }
      expectedTotal = numbers[2]
      progress.total = numbers[2]
    case 200:
      // No range support (or no range asked): the body is the whole file.
      do {
        try handle.truncate(atOffset: 0)
      } catch {
        failure = "cannot truncate the partial file: \(error)"
        return completionHandler(.cancel)
      }
      present = 0
      expectedTotal = length >= 0 ? length : nil
      if let expectedTotal { progress.total = expectedTotal }
    case 416:
      rangeNotSatisfiable = true
      failure = "HTTP 416 (range \(offset)- not satisfiable)"
      return completionHandler(.cancel)
    default:
      failure = "HTTP \(http.statusCode)"
      return completionHandler(.cancel)
    }
    completionHandler(.allow)
  }

  func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
    guard failure == nil else { return }
    do {
      try handle.write(contentsOf: data)
    } catch {
      failure = "write failed: \(error)"
      dataTask.cancel()
      return
    }
    present += Int64(data.count)
    progress.update(present)
  }

  func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
    if failure == nil, let error { failure = error.localizedDescription }
    finished.signal()
  }
}
