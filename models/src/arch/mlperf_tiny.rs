//! The MLPerf Tiny reference networks (github.com/mlcommons/tiny, `benchmark/training/`), built
//! as their Keras definitions are, with TensorFlow's SAME padding, Keras average pooling over the
//! whole map (stride = window) and a softmax output, so that they split into the same kernels as
//! the deployed `.tflite` files in `tests/fixtures/models/mlperf-tiny-tflite`:
//! - ResNet-8 for CIFAR-10 (`image_classification/keras_model.py`): three residual stacks of
//!   16, 32, 64 filters, 1×1 stride-2 projection shortcuts without BatchNorm;
//! - DS-CNN for keyword spotting (`keyword_spotting/keras_model.py`): a 10×4 stride-2 conv of
//!   64 filters on 49×10 MFCCs, four depthwise-separable pairs;
//! - MobileNetV1 0.25 for visual wake words (`visual_wake_words/vww_model.py`) at 96×96, 2 classes;
//! - the FC autoencoder for anomaly detection (`anomaly_detection/keras_model.py`): 640 → 128 ×4 →
//!   8 → 128 ×4 → 640. Its BatchNorms are folded into the dense layers here, as in the deployed
//!   file (a fully connected layer followed by BatchNorm would otherwise be its own kernel).

use super::mobilenet_v1::PAIRS;
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pad, Pool};
use einf_parser::ir::PoolKind;

fn same(cout: u64, k: u64) -> Conv {
    Conv::new(cout, k).pad(Pad::Same).bias()
}

/// Average pooling over the whole map, stride = window (Keras `AveragePooling2D(pool_size=map)`).
fn pool_all(net: &mut Net, x: Fm) -> Result<Fm> {
    let p = Pool { kind: PoolKind::Avg, k: (x.h, x.w), stride: (x.h, x.w), pad: Pad::Sym(0), ceil: false };
    net.pool(x, p)
}

fn classifier(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    let x = pool_all(net, x)?;
    let x = net.fc(x, classes, Act::None)?;
    Ok(net.softmax(x))
}

pub(super) fn resnet8(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(16);
    let mut x = net.conv(x, same(c, 3))?;
    for (i, filters) in [16u64, 32, 64].into_iter().enumerate() {
        net.scope(format!("stack{}", i + 1));
        // The first stack adds its input unchanged: its width is the stem's.
        let out = if i == 0 { x.c } else { net.ch(filters) };
        let stride = if i == 0 { 1 } else { 2 };
        let y = net.conv(x, same(out, 3).s(stride))?;
        let y = net.conv(y, same(out, 3).act(Act::None))?;
        let s = if i == 0 { x } else { net.conv(x, same(out, 1).s(stride).no_bn().act(Act::None))? };
        let sum = net.add(y, s)?;
        x = net.act(sum, Act::Relu)?;
    }
    net.scope("head");
    classifier(net, x, classes)
}

pub(super) fn ds_cnn(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("conv1");
    let c = net.ch(64);
    let mut x = net.conv(x, Conv::rect(c, 10, 4).s(2).bias())?;
    for i in 0..4 {
        net.scope(format!("ds{}", i + 1));
        x = net.conv(x, same(x.c, 3).groups(x.c))?;
        let c = net.ch(64);
        x = net.conv(x, same(c, 1))?;
    }
    net.scope("head");
    classifier(net, x, classes)
}

pub(super) fn vww(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    let alpha = |net: &mut Net, c: u64| net.ch(c / 4);
    net.scope("stem");
    let c = alpha(net, 32);
    let mut x = net.conv(x, same(c, 3).s(2))?;
    for (i, (c, s)) in PAIRS.into_iter().enumerate() {
        net.scope(format!("pair{}", i + 1));
        x = net.conv(x, same(x.c, 3).s(s).groups(x.c))?;
        let c = alpha(net, c);
        x = net.conv(x, same(c, 1))?;
    }
    net.scope("head");
    classifier(net, x, classes)
}

pub(super) fn autoencoder(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("encoder");
    let mut x = x;
    for width in [128u64, 128, 128, 128, 8] {
        let c = net.ch(width);
        x = net.fc(x, c, Act::Relu)?;
    }
    net.scope("decoder");
    for _ in 0..4 {
        let c = net.ch(128);
        x = net.fc(x, c, Act::Relu)?;
    }
    net.fc(x, classes, Act::None)
}
