// Reference center loss for tests: Double throughout, one sample and one class at a time.

/// Reference L_C = ½·(1/B)·Σ_b ‖x_b − c_{y_b}‖², its gradient λ_c·(x_b − c_{y_b})/B w.r.t. x
/// (λ_c times L_C's own), and Wen et al.'s centre update c_j − α·Σ_{y_b = j}(c_j − x_b)/(1 + n_j).
///
/// - features: [batch, dims]; centers: [classes, dims]; labels: [batch]
/// - gradInput: [batch, dims], overwritten; newCenters: [classes, dims], overwritten
public func naiveCenterLoss(
  features: UnsafePointer<Float>, centers: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
  gradInput: UnsafeMutablePointer<Float>, newCenters: UnsafeMutablePointer<Float>,
  batch: Int, classes: Int, dims: Int, lambda: Double, alpha: Double
) -> Double {
  var total = 0.0
  for b in 0..<batch {
    let y = Int(labels[b])
    for i in 0..<dims {
      let d = Double(features[b * dims + i]) - Double(centers[y * dims + i])
      total += d * d
      gradInput[b * dims + i] = Float(lambda * d / Double(batch))
    }
  }
  for j in 0..<classes {
    let rows = (0..<batch).filter { Int(labels[$0]) == j }
    for i in 0..<dims {
      let c = Double(centers[j * dims + i])
      let delta = rows.reduce(0.0) { $0 + c - Double(features[$1 * dims + i]) } / Double(1 + rows.count)
      newCenters[j * dims + i] = Float(c - alpha * delta)
    }
  }
  return batch > 0 ? 0.5 * total / Double(batch) : 0
}
