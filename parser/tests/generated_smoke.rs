//! Smoke test of the committed generated code: an ONNX `ModelProto` survives a prost
//! encode/decode round trip, and a TFLite model built with the flatc builders passes the verifier
//! and reads back. Regenerate the code with `parser/tools/gen-onnx.sh` / `gen-tflite.sh`.

#[cfg(feature = "onnx")]
#[test]
fn onnx_model_proto_round_trips() -> anyhow::Result<()> {
    use einf_parser::onnx::proto::{
        AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto,
        attribute_proto::AttributeType, tensor_proto::DataType,
    };
    use prost::Message;

    let conv = NodeProto {
        name: Some("conv0".into()),
        op_type: Some("Conv".into()),
        input: vec!["x".into(), "w".into()],
        output: vec!["y".into()],
        attribute: vec![AttributeProto {
            name: Some("kernel_shape".into()),
            r#type: Some(AttributeType::Ints as i32),
            ints: vec![3, 3],
            ..Default::default()
        }],
        ..Default::default()
    };
    let weight = TensorProto {
        name: Some("w".into()),
        dims: vec![8, 3, 3, 3],
        data_type: Some(DataType::Float as i32),
        raw_data: Some(vec![0; 8 * 3 * 3 * 3 * 4]),
        ..Default::default()
    };
    let model = ModelProto {
        ir_version: Some(9),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(13) }],
        graph: Some(GraphProto {
            name: Some("smoke".into()),
            node: vec![conv],
            initializer: vec![weight],
            ..Default::default()
        }),
        ..Default::default()
    };

    let bytes = model.encode_to_vec();
    let decoded = ModelProto::decode(bytes.as_slice())?;
    assert_eq!(decoded, model);

    let graph = decoded.graph.ok_or_else(|| anyhow::anyhow!("graph lost in round trip"))?;
    assert_eq!(graph.node.len(), 1);
    assert_eq!(graph.node[0].op_type(), "Conv");
    assert_eq!(graph.node[0].attribute[0].r#type(), AttributeType::Ints);
    assert_eq!(graph.initializer[0].data_type, Some(DataType::Float as i32));
    assert_eq!(graph.initializer[0].dims, [8, 3, 3, 3]);
    Ok(())
}

#[cfg(feature = "tflite")]
#[test]
fn tflite_model_builds_verifies_and_reads_back() -> anyhow::Result<()> {
    use einf_parser::tflite::schema::{
        ActivationFunctionType, Buffer, BufferArgs, BuiltinOperator, BuiltinOptions, Conv2DOptions,
        Conv2DOptionsArgs, Model, ModelArgs, Operator, OperatorArgs, OperatorCode, OperatorCodeArgs, Padding,
        SubGraph, SubGraphArgs, Tensor, TensorArgs, TensorType, finish_model_buffer,
        model_buffer_has_identifier, root_as_model,
    };
    use flatbuffers::{FlatBufferBuilder, WIPOffset};

    let mut fbb = FlatBufferBuilder::new();

    // Buffer 0 is the conventional empty buffer; tensors without data point at it.
    let empty = Buffer::create(&mut fbb, &BufferArgs::default());
    let buffers = fbb.create_vector(&[empty]);

    fn tensor<'a>(fbb: &mut FlatBufferBuilder<'a>, name: &str, shape: &[i32]) -> WIPOffset<Tensor<'a>> {
        let name = fbb.create_string(name);
        let shape = fbb.create_vector(shape);
        Tensor::create(
            fbb,
            &TensorArgs {
                name: Some(name),
                shape: Some(shape),
                type_: TensorType::FLOAT32,
                buffer: 0,
                ..Default::default()
            },
        )
    }
    let input = tensor(&mut fbb, "input", &[1, 8, 8, 3]);
    let filter = tensor(&mut fbb, "filter", &[4, 3, 3, 3]);
    let output = tensor(&mut fbb, "output", &[1, 8, 8, 4]);
    let tensors = fbb.create_vector(&[input, filter, output]);

    let conv_code = OperatorCode::create(
        &mut fbb,
        &OperatorCodeArgs {
            // Files from before schema version 3a only carry the i8 code; set both, as TF does.
            deprecated_builtin_code: 3,
            builtin_code: BuiltinOperator::CONV_2D,
            version: 1,
            ..Default::default()
        },
    );
    let operator_codes = fbb.create_vector(&[conv_code]);

    let conv_options = Conv2DOptions::create(
        &mut fbb,
        &Conv2DOptionsArgs {
            padding: Padding::SAME,
            stride_w: 1,
            stride_h: 1,
            fused_activation_function: ActivationFunctionType::RELU6,
            ..Default::default()
        },
    );
    let op_inputs = fbb.create_vector(&[0, 1]);
    let op_outputs = fbb.create_vector(&[2]);
    let conv = Operator::create(
        &mut fbb,
        &OperatorArgs {
            opcode_index: 0,
            inputs: Some(op_inputs),
            outputs: Some(op_outputs),
            builtin_options_type: BuiltinOptions::Conv2DOptions,
            builtin_options: Some(conv_options.as_union_value()),
            ..Default::default()
        },
    );
    let operators = fbb.create_vector(&[conv]);

    let sg_inputs = fbb.create_vector(&[0]);
    let sg_outputs = fbb.create_vector(&[2]);
    let sg_name = fbb.create_string("main");
    let subgraph = SubGraph::create(
        &mut fbb,
        &SubGraphArgs {
            tensors: Some(tensors),
            inputs: Some(sg_inputs),
            outputs: Some(sg_outputs),
            operators: Some(operators),
            name: Some(sg_name),
        },
    );
    let subgraphs = fbb.create_vector(&[subgraph]);

    let model = Model::create(
        &mut fbb,
        &ModelArgs {
            version: 3,
            operator_codes: Some(operator_codes),
            subgraphs: Some(subgraphs),
            buffers: Some(buffers),
            ..Default::default()
        },
    );
    finish_model_buffer(&mut fbb, model);
    let bytes = fbb.finished_data();

    assert!(model_buffer_has_identifier(bytes));
    let model = root_as_model(bytes)?; // runs the flatbuffers verifier
    assert_eq!(model.version(), 3);

    let codes = model.operator_codes().ok_or_else(|| anyhow::anyhow!("no operator codes"))?;
    assert_eq!(codes.get(0).builtin_code(), BuiltinOperator::CONV_2D);

    let subgraphs = model.subgraphs().ok_or_else(|| anyhow::anyhow!("no subgraphs"))?;
    assert_eq!(subgraphs.len(), 1);
    let subgraph = subgraphs.get(0);
    assert_eq!(subgraph.name(), Some("main"));
    let tensors = subgraph.tensors().ok_or_else(|| anyhow::anyhow!("no tensors"))?;
    let shapes: Vec<Vec<i32>> =
        tensors.iter().map(|t| t.shape().map(|s| s.iter().collect()).unwrap_or_default()).collect();
    assert_eq!(shapes, [vec![1, 8, 8, 3], vec![4, 3, 3, 3], vec![1, 8, 8, 4]]);

    let operators = subgraph.operators().ok_or_else(|| anyhow::anyhow!("no operators"))?;
    assert_eq!(operators.len(), 1);
    let op = operators.get(0);
    assert_eq!(op.inputs().map(|v| v.iter().collect::<Vec<_>>()), Some(vec![0, 1]));
    let options =
        op.builtin_options_as_conv_2_doptions().ok_or_else(|| anyhow::anyhow!("no Conv2DOptions"))?;
    assert_eq!(options.padding(), Padding::SAME);
    assert_eq!(options.fused_activation_function(), ActivationFunctionType::RELU6);

    // The verifier rejects a truncated buffer instead of reading out of bounds.
    assert!(root_as_model(&bytes[..bytes.len() / 2]).is_err());
    Ok(())
}
