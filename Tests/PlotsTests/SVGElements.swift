import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The element names, ids and text of an SVG document, through Foundation's `XMLParser` (which
/// Linux has; `XMLDocument` is not available everywhere). Throws when the text is not XML.
final class SVGElements: NSObject, XMLParserDelegate {
  private(set) var root: String?
  private(set) var polylineIDs: [String] = []
  private(set) var polygonIDs: [String] = []
  private(set) var texts: [String] = []
  private var currentText: String?

  init(_ svg: String) throws {
    super.init()
    let parser = XMLParser(data: Data(svg.utf8))
    parser.delegate = self
    guard parser.parse() else {
      throw parser.parserError ?? NSError(domain: "SVGElements", code: 1)
    }
  }

  func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
              attributes: [String: String] = [:]) {
    if root == nil { root = name }
    if name == "polyline" { polylineIDs.append(attributes["id"] ?? "") }
    if name == "polygon" { polygonIDs.append(attributes["id"] ?? "") }
    if name == "text" { currentText = "" }
  }

  func parser(_ parser: XMLParser, foundCharacters string: String) { currentText? += string }

  func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
    if name == "text", let text = currentText { texts.append(text); currentText = nil }
  }
}
