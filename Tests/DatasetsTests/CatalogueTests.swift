import Datasets
import Testing

@Suite struct CatalogueTests {
  @Test func listsThePapersDatasetsAndFashionMNIST() throws {
    #expect(Catalogue.all.map(\.name) == ["cifar10", "cifar100", "tiny_imagenet", "facescrub", "fashion_mnist"])
    #expect(try Catalogue.descriptor(named: "cifar100").classCount == 100)
    let error = #expect(throws: DatasetError.self) { try Catalogue.descriptor(named: "cifar") }
    #expect(error?.description == "unknown dataset 'cifar'; known: cifar10, cifar100, tiny_imagenet, facescrub, fashion_mnist")
  }

  @Test(arguments: Catalogue.all)
  func entriesAreComplete(_ descriptor: DatasetDescriptor) {
    #expect(descriptor.normalisation.mean.count == descriptor.channels)
    #expect(descriptor.splitCounts["train"]! > 0 && descriptor.splitCounts["test"]! > 0)
    if let names = descriptor.classNames { #expect(names.count == descriptor.classCount) }
    for file in descriptor.files {
      #expect(!file.urls.isEmpty)
      for digest in file.accepted {
        #expect(digest.size != nil && digest.md5?.count == 32)
        if let sha = digest.sha256 { #expect(sha.count == 64 && sha.allSatisfy(\.isHexDigit)) }
      }
    }
  }

  @Test func publishedSizesAndHashesAreTheReferenceOnes() {
    #expect(Catalogue.cifar10.downloadSize == 170_052_171)
    #expect(Catalogue.cifar10.files[0].accepted[0].md5 == "c32a1d4ab5d03f1284b67883e8d87530")
    #expect(Catalogue.cifar100.files[0].accepted[0].sha256 == "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec")
    #expect(Catalogue.tinyImageNet.files[0].accepted[0].md5 == "90528d7ca1a48142e341f4ef8d21d0de")
    #expect(Catalogue.faceScrub.files.isEmpty && Catalogue.faceScrub.splitCounts == ["train": 15_896, "test": 3_896])
  }
}
