/// The paper's datasets and the offline Fashion-MNIST. Values and their provenance are in
/// `shared/reference/datasets.md`; "verified" there means hashed on a real copy.
public enum Catalogue {
  public static let all: [DatasetDescriptor] = [cifar10, cifar100, tinyImageNet, faceScrub, fashionMNIST]

  /// The descriptor called `name`.
  public static func descriptor(named name: String) throws(DatasetError) -> DatasetDescriptor {
    guard let found = all.first(where: { $0.name == name }) else {
      throw .unknownDataset(name: name, known: all.map(\.name))
    }
    return found
  }

  private static let toronto = ["https://www.cs.toronto.edu/~kriz/", "https://cave.cs.toronto.edu/kriz/"]

  public static let cifar10 = DatasetDescriptor(
    name: "cifar10", title: "CIFAR-10 (binary version)", format: .cifar10Binary,
    files: [DatasetFile(
      name: "cifar-10-binary.tar.gz",
      urls: toronto.map { $0 + "cifar-10-binary.tar.gz" },
      accepted: [ExpectedDigest(
        size: 170_052_171,
        sha256: "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
        md5: "c32a1d4ab5d03f1284b67883e8d87530",
        origin: "CIFAR page (MD5), tensorflow-datasets url_checksums (SHA-256)")])],
    channels: 3, height: 32, width: 32, classCount: 10,
    classNames: ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"],
    splitCounts: ["train": 50_000, "test": 10_000],
    normalisation: Normalisation(mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616],
                                 origin: "CIFAR-10 training-set mean and std (not the per-image 0.2023 std)"),
    notes: "Binary version; class names are also read from batches.meta.txt and must agree.")

  public static let cifar100 = DatasetDescriptor(
    name: "cifar100", title: "CIFAR-100 (binary version)", format: .cifar100Binary,
    files: [DatasetFile(
      name: "cifar-100-binary.tar.gz",
      urls: toronto.map { $0 + "cifar-100-binary.tar.gz" },
      accepted: [ExpectedDigest(
        size: 168_513_733,
        sha256: "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
        md5: "03b5dce01913d631647c71ecec9e9cb8",
        origin: "CIFAR page (MD5), tensorflow-datasets url_checksums (SHA-256)")])],
    channels: 3, height: 32, width: 32, classCount: 100, classNames: nil,
    splitCounts: ["train": 50_000, "test": 10_000],
    normalisation: Normalisation(mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762],
                                 origin: "CIFAR-100 training-set mean and std"),
    notes: "Labels are the 100 fine classes (names from fine_label_names.txt); coarse labels are kept in the cache.")

  public static let tinyImageNet = DatasetDescriptor(
    name: "tiny_imagenet", title: "Tiny ImageNet (200 classes, 64×64)", format: .tinyImageNetZip,
    files: [DatasetFile(
      name: "tiny-imagenet-200.zip",
      urls: ["http://cs231n.stanford.edu/tiny-imagenet-200.zip", "https://cs231n.stanford.edu/tiny-imagenet-200.zip"],
      accepted: [ExpectedDigest(size: 248_100_043, md5: "90528d7ca1a48142e341f4ef8d21d0de",
                                origin: "size and MD5 used by public loaders; no SHA-256 is published")])],
    channels: 3, height: 64, width: 64, classCount: 200, classNames: nil,
    splitCounts: ["train": 100_000, "test": 10_000],
    normalisation: Normalisation(mean: [0.4802, 0.4481, 0.3975], std: [0.2770, 0.2691, 0.2821],
                                 origin: "Tiny ImageNet training-set constants seen in public code (unverified; the cache records the measured ones)"),
    notes: "Test split = the labelled val/ set (val_annotations.txt); class index = position in the sorted wnids; grayscale JPEGs are expanded to RGB, none dropped.")

  public static let faceScrub = DatasetDescriptor(
    name: "facescrub", title: "FaceScrub subset (paper: 100 identities, 64×64)", format: .faceScrubFolder,
    files: [], channels: 3, height: 64, width: 64, classCount: 100, classNames: nil,
    splitCounts: ["train": 15_896, "test": 3_896],
    normalisation: Normalisation(mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
                                 origin: "no published constants; the common (0.5, 0.5, 0.5) choice"),
    notes: "Not downloadable and the paper's subset is not public: provide a local folder; the split is seeded and recorded, and differences from the paper's counts are reported as a deviation.")

  private static let fashionUpstream = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
  private static let debianFashion = "file:///usr/share/datasets/fashion-mnist/"

  /// One Fashion-MNIST file: Debian's copy first (offline, same content), upstream second.
  private static func fashionFile(
    _ name: String, upstreamSize: Int64, upstreamMD5: String, upstreamSHA256: String? = nil,
    debianSize: Int64, debianSHA256: String, debianMD5: String, contentSize: Int64, contentSHA256: String
  ) -> DatasetFile {
    DatasetFile(
      name: name, urls: [debianFashion + name, fashionUpstream + name],
      accepted: [
        ExpectedDigest(size: upstreamSize, sha256: upstreamSHA256, md5: upstreamMD5, origin: "upstream .gz"),
        ExpectedDigest(size: debianSize, sha256: debianSHA256, md5: debianMD5,
                       origin: "Debian dataset-fashion-mnist 0.0~git20200523.55506a9-1 (re-gzipped)"),
      ],
      content: ExpectedDigest(size: contentSize, sha256: contentSHA256, origin: "decompressed IDX"))
  }

  public static let fashionMNIST = DatasetDescriptor(
    name: "fashion_mnist", title: "Fashion-MNIST (offline from Debian's dataset-fashion-mnist)",
    format: .fashionMNISTIDX,
    files: [
      fashionFile("train-images-idx3-ubyte.gz", upstreamSize: 26_421_880, upstreamMD5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                  upstreamSHA256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                  debianSize: 26_421_856, debianSHA256: "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                  debianMD5: "cf8536b0aa1a6ac5fa3f23001093305c", contentSize: 47_040_016,
                  contentSHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
      fashionFile("train-labels-idx1-ubyte.gz", upstreamSize: 29_515, upstreamMD5: "25c81989df183df01b3e8a0aad5dffbe",
                  debianSize: 29_491, debianSHA256: "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
                  debianMD5: "10bea18fdb374794d4bb42e356e600c9", contentSize: 60_008,
                  contentSHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
      fashionFile("t10k-images-idx3-ubyte.gz", upstreamSize: 4_422_102, upstreamMD5: "bef4ecab320f06d8554ea6380940ec79",
                  debianSize: 4_422_079, debianSHA256: "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                  debianMD5: "f78720b4224f21cce2f2ccf2d7a94c9a", contentSize: 7_840_016,
                  contentSHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
      fashionFile("t10k-labels-idx1-ubyte.gz", upstreamSize: 5_148, upstreamMD5: "bb300cfdad3c16e7a12a480ee83cd310",
                  debianSize: 5_125, debianSHA256: "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
                  debianMD5: "0d30e22e447f3c33dab9ed536400ac01", contentSize: 10_008,
                  contentSHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
    ],
    channels: 1, height: 28, width: 28, classCount: 10,
    classNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    splitCounts: ["train": 60_000, "test": 10_000],
    normalisation: Normalisation(mean: [0.2860], std: [0.3530], origin: "Fashion-MNIST training-set mean and std"),
    notes: "Debian re-gzipped the files (FNAME dropped, new mtime): both .gz variants are accepted and the decompressed IDX bytes are verified by SHA-256.")
}
