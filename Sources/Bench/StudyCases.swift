import Datasets
import Engine
import Learning
import Signatures

/// The study at full scale, as `signet study --preset modern --per-class all --analyze all
/// --no-umap` runs it: 784-32-64-10 trained 10 epochs (Adam 1e-3, batch 32) on MNIST's 60,000
/// training images, then both hidden layers of all 70,000 images clustered (k = 2 ... 10 by
/// exact silhouette, n_init 10), the paths followed. No UMAP: the `umap` workload times it.
enum StudyCases {
    /// One case; a run takes about a minute here, so it gets one sample per backend.
    static func cases(store: DatasetStore) -> [BenchCase] {
        let configuration = StudyConfiguration(
            data: DataChoice(dataset: .mnist, subset: SubsetSpecification(classes: Array(0...9), perClass: nil, selection: .first)),
            model: .train(model: .multilayerPerceptron(inputs: 784, hidden: [32, 64], classes: 10), training: TrainingConfiguration()),
            seed: 1, analyze: .all, umap: nil)
        return [BenchCase(workload: .study, name: "study, all 70,000 images, 10 epochs, both layers, k = 2 ... 10", warmUp: false,
                          samples: 1) { backend in
            let study = try Study(configuration, store: store)
            return {
                _ = try study.run(on: backend)
                try backend.synchronize()
            }
        }]
    }
}
