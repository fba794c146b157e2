//! Reference architectures, one family per file, and the registry that names them.
//!
//! Each network follows a public definition, cited in its file: torchvision for the classic
//! ImageNet networks (so that its published parameter counts and operation counts apply),
//! the papers' tables or their reference code for the others, and the MLPerf Tiny reference
//! models. Departures are documented where they are made; the common ones:
//! - dropout is left out (identity at inference), and so is torchvision's adaptive average
//!   pooling to 7×7 (VGG) or 6×6 (AlexNet), which is the identity at 224×224: at other
//!   resolutions the first fully connected layer takes the map as it is;
//! - global average pooling is GlobalAveragePool followed by Flatten, wherever the original
//!   uses adaptive pooling or a mean over H and W.

mod alexnet;
mod densenet;
mod efficientnet;
mod googlenet;
mod mbconv;
mod mlperf_tiny;
mod mnasnet;
mod mobilenet_v1;
mod mobilenet_v2;
mod mobilenet_v3;
mod proxyless;
mod resnet;
mod shufflenet;
mod squeezenet;
mod vgg;

use crate::error::{ModelsError, Result};
use crate::net::{Fm, Net};
use crate::options::{ArchOptions, Rounding};
use einf_parser::ir::Graph;

/// How a network's input looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// An image `c×h×w`.
    Image(u64, u64, u64),
    /// A flat feature vector.
    Flat(u64),
}

type BuildFn = fn(&mut Net, Fm, u64) -> Result<Fm>;

/// One reference architecture.
#[derive(Debug, Clone, Copy)]
pub struct ArchInfo {
    /// Registry name (`resnet50`).
    pub name: &'static str,
    /// Family (`resnet`), the file it is defined in.
    pub family: &'static str,
    /// Default input.
    pub input: Input,
    /// Default number of classes.
    pub classes: u64,
    /// How channel counts are rounded when scaled.
    pub rounding: Rounding,
    /// One line: what it is and whose definition it follows.
    pub about: &'static str,
    build: BuildFn,
}

macro_rules! arch {
    ($name:expr, $family:expr, $input:expr, $classes:expr, $rounding:expr, $about:expr, $build:expr) => {
        ArchInfo {
            name: $name,
            family: $family,
            input: $input,
            classes: $classes,
            rounding: $rounding,
            about: $about,
            build: $build,
        }
    };
}

const IMAGENET: Input = Input::Image(3, 224, 224);
const ROUND: Rounding = Rounding::Divisible(1);
const DIV8: Rounding = Rounding::Divisible(8);

/// Every architecture, in a stable order.
pub const ARCHS: &[ArchInfo] = &[
    arch!(
        "alexnet",
        "alexnet",
        IMAGENET,
        1000,
        ROUND,
        "AlexNet as in torchvision (one tower, no LRN)",
        alexnet::alexnet
    ),
    arch!("vgg11", "vgg", IMAGENET, 1000, ROUND, "VGG-11 (configuration A), torchvision", vgg::vgg11),
    arch!("vgg16", "vgg", IMAGENET, 1000, ROUND, "VGG-16 (configuration D), torchvision", vgg::vgg16),
    arch!("vgg19", "vgg", IMAGENET, 1000, ROUND, "VGG-19 (configuration E), torchvision", vgg::vgg19),
    arch!("resnet18", "resnet", IMAGENET, 1000, ROUND, "ResNet-18, torchvision", resnet::resnet18),
    arch!("resnet34", "resnet", IMAGENET, 1000, ROUND, "ResNet-34, torchvision", resnet::resnet34),
    arch!(
        "resnet50",
        "resnet",
        IMAGENET,
        1000,
        ROUND,
        "ResNet-50 v1.5 (stride in the 3x3), torchvision",
        resnet::resnet50
    ),
    arch!("resnet101", "resnet", IMAGENET, 1000, ROUND, "ResNet-101 v1.5, torchvision", resnet::resnet101),
    arch!(
        "resnext50_32x4d",
        "resnet",
        IMAGENET,
        1000,
        ROUND,
        "ResNeXt-50 32x4d (grouped 3x3), torchvision",
        resnet::resnext50
    ),
    arch!(
        "mobilenet_v1",
        "mobilenet_v1",
        IMAGENET,
        1000,
        Rounding::Truncate,
        "MobileNetV1 (Howard et al. 2017, Table 1)",
        mobilenet_v1::mobilenet_v1
    ),
    arch!(
        "mobilenet_v2",
        "mobilenet_v2",
        IMAGENET,
        1000,
        DIV8,
        "MobileNetV2, torchvision",
        mobilenet_v2::mobilenet_v2
    ),
    arch!(
        "mobilenet_v3_large",
        "mobilenet_v3",
        IMAGENET,
        1000,
        DIV8,
        "MobileNetV3-Large, torchvision",
        mobilenet_v3::large
    ),
    arch!(
        "mobilenet_v3_small",
        "mobilenet_v3",
        IMAGENET,
        1000,
        DIV8,
        "MobileNetV3-Small, torchvision",
        mobilenet_v3::small
    ),
    arch!(
        "shufflenet_v2",
        "shufflenet",
        IMAGENET,
        1000,
        Rounding::Divisible(2),
        "ShuffleNetV2 1.0x, torchvision",
        shufflenet::shufflenet_v2
    ),
    arch!(
        "squeezenet1_0",
        "squeezenet",
        IMAGENET,
        1000,
        ROUND,
        "SqueezeNet 1.0, torchvision",
        squeezenet::squeezenet1_0
    ),
    arch!(
        "squeezenet1_1",
        "squeezenet",
        IMAGENET,
        1000,
        ROUND,
        "SqueezeNet 1.1, torchvision",
        squeezenet::squeezenet1_1
    ),
    arch!(
        "densenet121",
        "densenet",
        IMAGENET,
        1000,
        ROUND,
        "DenseNet-121, torchvision",
        densenet::densenet121
    ),
    arch!(
        "googlenet",
        "googlenet",
        IMAGENET,
        1000,
        ROUND,
        "GoogLeNet (Inception v1) with BatchNorm, torchvision (3x3 in the '5x5' branch, no aux heads)",
        googlenet::googlenet
    ),
    arch!(
        "mnasnet_a1",
        "mnasnet",
        IMAGENET,
        1000,
        DIV8,
        "MnasNet-A1 (Tan et al. 2019, Fig. 7), squeeze-excite as in the TF reference",
        mnasnet::a1
    ),
    arch!(
        "mnasnet_b1",
        "mnasnet",
        IMAGENET,
        1000,
        DIV8,
        "MnasNet-B1 1.0 (no squeeze-excite), torchvision mnasnet1_0",
        mnasnet::b1
    ),
    arch!(
        "proxylessnas_mobile",
        "proxyless",
        IMAGENET,
        1000,
        DIV8,
        "ProxylessNAS-Mobile (Cai et al. 2019), block list of the released net config",
        proxyless::mobile
    ),
    arch!(
        "efficientnet_b0",
        "efficientnet",
        IMAGENET,
        1000,
        DIV8,
        "EfficientNet-B0, torchvision",
        efficientnet::b0
    ),
    arch!(
        "mlperf_resnet8",
        "mlperf_tiny",
        Input::Image(3, 32, 32),
        10,
        ROUND,
        "MLPerf Tiny image classification ResNet-8 (CIFAR-10)",
        mlperf_tiny::resnet8
    ),
    arch!(
        "mlperf_dscnn",
        "mlperf_tiny",
        Input::Image(1, 49, 10),
        12,
        ROUND,
        "MLPerf Tiny keyword spotting DS-CNN",
        mlperf_tiny::ds_cnn
    ),
    arch!(
        "mlperf_mobilenet_vww",
        "mlperf_tiny",
        Input::Image(3, 96, 96),
        2,
        Rounding::Truncate,
        "MLPerf Tiny visual wake words MobileNetV1 0.25 at 96x96",
        mlperf_tiny::vww
    ),
    arch!(
        "mlperf_autoencoder",
        "mlperf_tiny",
        Input::Flat(640),
        640,
        ROUND,
        "MLPerf Tiny anomaly detection FC autoencoder (BatchNorm folded, as deployed)",
        mlperf_tiny::autoencoder
    ),
];

/// The architecture named `name`.
pub fn find(name: &str) -> Result<&'static ArchInfo> {
    ARCHS.iter().find(|a| a.name == name).ok_or_else(|| ModelsError::UnknownArch {
        name: name.to_string(),
        known: ARCHS.iter().map(|a| a.name).collect::<Vec<_>>().join(", "),
    })
}

impl ArchInfo {
    /// Build this network with `opts`, shape-inferred and ready for analysis or export.
    pub fn build(&self, opts: &ArchOptions) -> Result<Graph> {
        let classes = opts.classes.unwrap_or(self.classes);
        let (mut net, x) = match self.input {
            Input::Image(c, h, w) => Net::new(self.name, (c, h, w), opts, self.rounding)?,
            Input::Flat(n) => Net::new_flat(self.name, n, opts, self.rounding)?,
        };
        let y = (self.build)(&mut net, x, classes)?;
        net.finish(&[y])
    }
}

/// Build the architecture named `name` with `opts`.
pub fn build(name: &str, opts: &ArchOptions) -> Result<Graph> {
    find(name)?.build(opts)
}
