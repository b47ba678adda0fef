import Engine

/// The layers from the pooled features [n, features] to the logits, for `config.head`:
/// `prefix` goes before the classifier, `classifier` goes under the network's own classifier
/// name (`fc`, `classifier`, `classifier.1`, `linear`), so checkpoints keep torchvision's names.
///
/// * softmax: [`embedding` hook], Linear(features → classes): the torchvision head, unchanged.
/// * center: [`embed` Linear(features → D), `embedding` hook, `center` tap], Linear(D → classes)
///   with bias; the tap's centres are saved as `center.centers`.
/// * am_softmax: [`embed`, `embedding`], CosineLinear(D → classes, cosθ·‖x‖).
/// * arcface: [`embed`, `embedding`, `l2norm`], CosineLinear(D → classes, cosθ).
///
/// D is `head.embeddingFeatures` scaled by the width multiplier. No activation or BN on the
/// embedding: the authors' commented `fc = Linear(2048, feature_size)` has none.
func classifierLayers(features: Int, config: ModelConfiguration) -> (prefix: [(String, any Layer)], classifier: any Layer) {
  let head = config.head
  guard head.isFace else {
    return ([("embedding", FeatureHook())], Linear(inFeatures: features, outFeatures: config.classes))
  }
  let dims = config.scaled(head.embeddingFeatures)
  var prefix: [(String, any Layer)] = [
    ("embed", Linear(inFeatures: features, outFeatures: dims)),
    ("embedding", FeatureHook()),
  ]
  let classifier: any Layer
  switch head.loss {
  case .softmax:
    preconditionFailure("softmax has no face head")
  case .center:
    prefix.append(("center", CenterLossTap(classes: config.classes, dims: dims, lambda: head.centerLambda,
                                           alpha: head.centerAlpha)))
    classifier = Linear(inFeatures: dims, outFeatures: config.classes)
  case .am_softmax:
    classifier = CosineLinear(inFeatures: dims, outFeatures: config.classes, bound: .featureNorm)
  case .arcface:
    prefix.append(("l2norm", L2Normalize()))
    classifier = CosineLinear(inFeatures: dims, outFeatures: config.classes, bound: .unit)
  }
  return (prefix, classifier)
}
