import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 file server on 127.0.0.1 (an ephemeral port) for fetch tests: GET with
/// optional `Range: bytes=N-`, one connection at a time, `Connection: close`. A route can drop the
/// connection part-way through its first response (a cut download) or ignore ranges.
final class LoopbackHTTPServer: @unchecked Sendable {
  // @unchecked: `routes` and `log` are only touched with `lock` held.
  struct Route {
    var body: Data
    /// Send only this many body bytes of the first response, then close (Content-Length stays full).
    var cutFirstResponseAfter: Int?
    /// Answer every request with the whole file (200), as servers without range support do.
    var ignoresRange = false
  }

  struct Request: Equatable {
    var path: String
    var range: String?
    var acceptEncoding: String?
  }

  let port: UInt16
  private let listener: Int32
  private let lock = NSLock()
  private var routes: [String: Route]
  private var log: [Request] = []

  init(routes: [String: Route]) throws {
    self.routes = routes
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.listener = listener
    guard listener >= 0 else { throw ServerError.socket("socket") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, listen(listener, 8) == 0 else { throw ServerError.socket("bind/listen") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    port = UInt16(bigEndian: address.sin_port)
    let thread = Thread { [self] in serve() }
    thread.start()
  }

  deinit { stop() }

  var baseURL: String { "http://127.0.0.1:\(port)/" }
  var requests: [Request] { lock.withLock { log } }

  /// Closes the listening socket; the accept loop ends.
  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private func serve() {
    while true {
      let connection = accept(listener, nil, nil)
      guard connection >= 0 else { return }
      handle(connection)
      close(connection)
    }
  }

  private func handle(_ connection: Int32) {
    var request = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while !request.contains("\r\n\r\n".data(using: .utf8)!) {
      let n = recv(connection, &buffer, buffer.count, 0)
      guard n > 0 else { return }
      request.append(contentsOf: buffer[0..<n])
    }
    let lines = String(decoding: request, as: UTF8.self).components(separatedBy: "\r\n")
    let parts = lines[0].split(separator: " ")
    guard parts.count >= 2 else { return }
    let path = String(parts[1].dropFirst())
    func header(_ name: String) -> String? {
      lines.first { $0.lowercased().hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
    }
    let range = header("range")
    let route: Route? = lock.withLock {
      log.append(Request(path: path, range: range, acceptEncoding: header("accept-encoding")))
      let found = routes[path]
      routes[path]?.cutFirstResponseAfter = nil
      return found
    }
    guard let route else {
      send(connection, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
      return
    }
    var start = 0
    if let range, !route.ignoresRange, range.hasPrefix("bytes="), range.hasSuffix("-"),
       let first = Int(range.dropFirst(6).dropLast()) {
      guard first < route.body.count else {
        send(connection, "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */\(route.body.count)\r\n"
          + "Content-Length: 0\r\nConnection: close\r\n\r\n")
        return
      }
      start = first
    }
    let body = route.body.subdata(in: start..<route.body.count)
    var head = start > 0 ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n"
    if start > 0 { head += "Content-Range: bytes \(start)-\(route.body.count - 1)/\(route.body.count)\r\n" }
    head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
    send(connection, head)
    send(connection, route.cutFirstResponseAfter.map { body.prefix($0) } ?? body)
  }

  private func send(_ connection: Int32, _ text: String) { send(connection, Data(text.utf8)) }

  private func send(_ connection: Int32, _ data: Data) {
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        // MSG_NOSIGNAL: a client that hung up must not kill the test process with SIGPIPE.
        let n = Glibc.send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
        guard n > 0 else { return }
        offset += n
      }
    }
  }

  enum ServerError: Error { case socket(String) }
}
