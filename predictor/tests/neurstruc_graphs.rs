//! The dataset's NeurstrucEnergy reader gives each whole CNN the same Conv2d kernels as the
//! predictor's own reader of the layers (`neurstruc_models`), on the bundled files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::import::{Format, ReadOptions, read};
use std::path::Path;

#[test]
fn the_dataset_graphs_of_the_whole_cnns_are_the_predictors_kernels() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dataset/data/neurstrucenergy");
    for (file, models) in [("random_testset_1.txt", 17), ("custom_testset_2.txt", 5)] {
        let path = data.join(file);
        let batch = read(Format::Neurstruc, &path, &ReadOptions::default()).unwrap();
        let layers = einf_predictor::neurstruc_models::read(&path).unwrap();
        assert_eq!(batch.graphs.len(), models, "{file}");
        assert_eq!(layers.len(), models, "{file}");
        let mut convs = 0;
        for g in &batch.graphs {
            assert_eq!(g.backend, None);
            assert_eq!(g.uncosted, 0);
            let expected =
                &layers.get(&g.model.name).unwrap_or_else(|| panic!("{file}: {}", g.model.name)).kernels;
            assert!(!expected.is_empty(), "{file}: {}", g.model.name);
            assert_eq!(&g.kernels.to_vec(), expected, "{file}: {}", g.model.name);
            convs += g.kernels.len();
        }
        // Conv2d layers (layer id 1) counted in the files independently of einf, with a few lines
        // of Python, when this test was written: 912 in the 17 random models, 194 in the 5
        // custom ones.
        assert_eq!(convs, if models == 17 { 912 } else { 194 }, "{file}");
    }
}
