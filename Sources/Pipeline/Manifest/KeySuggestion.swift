/// "Did you mean …?" for misspelt keys and values.
enum KeySuggestion {
  /// The closest candidate within an edit distance of about a third of the word (at least 1,
  /// at most 3), or nil when nothing is plausibly what the user meant.
  static func closest(to word: String, among candidates: [String]) -> String? {
    let limit = min(3, max(1, word.count / 3))
    var best: (candidate: String, distance: Int, prefix: Int)?
    for candidate in candidates {
      let distance = editDistance(word.lowercased(), candidate.lowercased())
      guard distance <= limit else { continue }
      // Ties go to the candidate sharing the longest prefix: `optimizer.lrate` → `optimizer.lr`.
      let prefix = zip(word, candidate).prefix { $0 == $1 }.count
      if best == nil || distance < best!.distance || (distance == best!.distance && prefix > best!.prefix) {
        best = (candidate, distance, prefix)
      }
    }
    return best?.candidate
  }

  /// " (did you mean 'x'?)" or "" — ready to append to a message.
  static func hint(for word: String, among candidates: [String]) -> String {
    closest(to: word, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
  }

  /// Levenshtein distance with adjacent transpositions counted as one edit (`lamdba` → `lambda`).
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], previous2[j - 2] + 1)
        }
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
