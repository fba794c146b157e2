//! The plots are valid SVG with a title, titled axes with units and finite coordinates.

use einf_parser::units::{Energy, Frequency, Power};
use einf_scoring::plot::{
    Axis, Chart, Marker, Series, cascade_power_vs_events, relc_vs_uses, solution_power_vs_rate,
};
use einf_scoring::*;

const COORDINATES: [&str; 8] = ["x", "y", "x1", "x2", "y1", "y2", "width", "height"];

/// Coordinates of an SVG document that are not finite numbers (empty when all are).
pub(crate) fn non_finite_coordinates(svg: &str) -> Vec<String> {
    let doc = match roxmltree::Document::parse(svg) {
        Ok(d) => d,
        Err(e) => return vec![format!("not XML: {e}")],
    };
    let mut bad = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for a in node.attributes() {
            let values: Vec<&str> = match a.name() {
                "points" => a.value().split([' ', ',']).filter(|s| !s.is_empty()).collect(),
                n if COORDINATES.contains(&n) => vec![a.value()],
                _ => continue,
            };
            for v in values {
                if !v.parse::<f64>().is_ok_and(f64::is_finite) {
                    bad.push(format!("{}={v}", a.name()));
                }
            }
        }
    }
    bad
}

/// What a test reads from a chart.
struct Parsed {
    title: String,
    x_title: String,
    y_title: String,
    /// Each polyline of a series, as points in SVG coordinates.
    lines: Vec<Vec<(f64, f64)>>,
    texts: Vec<String>,
}

fn parse(svg: &str) -> Parsed {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    assert!(non_finite_coordinates(svg).is_empty(), "{:?}", non_finite_coordinates(svg));
    let text_of = |class: &str| {
        doc.descendants()
            .find(|n| n.attribute("class") == Some(class))
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("no {class}"))
            .to_string()
    };
    let title =
        doc.descendants().find(|n| n.has_tag_name("title")).and_then(|n| n.text()).unwrap().to_string();
    assert_eq!(title, text_of("title"));
    let lines = doc
        .descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .map(|n| {
            let nums: Vec<f64> = n
                .attribute("points")
                .unwrap()
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().unwrap())
                .collect();
            nums.chunks(2).map(|c| (c[0], c[1])).collect()
        })
        .collect();
    let texts = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(String::from)
        .collect();
    Parsed { title, x_title: text_of("x-axis-title"), y_title: text_of("y-axis-title"), lines, texts }
}

/// Points lie inside the 760 × 460 canvas.
fn inside(points: &[(f64, f64)]) -> bool {
    points.iter().all(|&(x, y)| (0.0..=760.0).contains(&x) && (0.0..=460.0).contains(&y))
}

#[test]
fn relc_vs_uses_rises_towards_re() {
    let task = Task::new(0.8, 10).unwrap();
    let svg =
        relc_vs_uses(&task, Energy::from_millijoules(12.5), Energy::from_kilojoules(3.0), Some(1e6)).unwrap();
    let p = parse(&svg);
    assert!(p.title.contains("12.5 mJ") && p.title.contains("3 kJ"), "{}", p.title);
    assert_eq!(p.x_title, "uses F (inferences)");
    assert_eq!(p.y_title, "efficiency (1/√mJ)");
    assert_eq!(p.lines.len(), 2);
    let relc = &p.lines[0];
    assert_eq!(relc.len(), 80);
    assert!(inside(relc));
    // SVG y grows downwards: a rising curve has falling y, never above the RE line.
    assert!(relc.windows(2).all(|w| w[1].0 > w[0].0 && w[1].1 <= w[0].1));
    let re_y = p.lines[1][0].1;
    assert!(relc.iter().all(|&(_, y)| y >= re_y - 1e-9));
    assert!((relc.last().unwrap().1 - re_y).abs() < 1.0);
    assert!(p.texts.iter().any(|t| t == "F½ = 240000 (DLLCE = 0.5)"), "{:?}", p.texts);
    assert!(p.texts.iter().any(|t| t == "F = 1e6"), "{:?}", p.texts);
    assert!(p.texts.iter().any(|t| t == "RELC"));
}

#[test]
fn solution_power_is_a_straight_line_from_static_power() {
    let s =
        Solution::new(Power::from_milliwatts(1.0), Frequency::from_fps(10.0), Energy::from_millijoules(2.0))
            .unwrap();
    let p = parse(&solution_power_vs_rate(&s).unwrap());
    assert_eq!(p.x_title, "frame rate (fps)");
    assert_eq!(p.y_title, "power (mW)");
    let line = &p.lines[0];
    assert!(inside(line));
    let (a, b) = (line[0], *line.last().unwrap());
    for &(x, y) in line {
        // Coordinates are printed to 0.01 px.
        let on = a.1 + (b.1 - a.1) * (x - a.0) / (b.0 - a.0);
        assert!((y - on).abs() < 0.02, "({x}, {y}) is off the line");
    }
    // The static-power line starts where the solution line does (f = 0).
    assert!((p.lines[1][0].1 - a.1).abs() < 0.01);
    assert!(p.texts.iter().any(|t| t == "static = dynamic at 0.5 fps"), "{:?}", p.texts);
}

#[test]
fn cascade_power_vs_event_rate_marks_the_break_even() {
    let c = crate::reference_cascade().with_wake_energy(Energy::from_millijoules(195.0)).unwrap();
    let sweep = c.sweep(Frequency::from_per_hour(1.0), Frequency::from_per_hour(3600.0), 25).unwrap();
    let svg =
        cascade_power_vs_events(&sweep, c.break_even_events().unwrap(), Some(Frequency::from_per_hour(6.0)))
            .unwrap();
    let p = parse(&svg);
    assert_eq!(p.x_title, "event rate (events per hour)");
    assert_eq!(p.y_title, "power (mW)");
    assert_eq!(p.lines.len(), 2);
    assert!(p.lines.iter().all(|l| l.len() == 25 && inside(l)));
    // The cascade starts below the large-model-first line and ends above it.
    let (cascade, large) = (&p.lines[0], &p.lines[1]);
    assert!(cascade[0].1 > large[0].1 && cascade[24].1 < large[24].1);
    assert!(p.texts.iter().any(|t| t == "break-even 180 /h"), "{:?}", p.texts);
    assert!(p.texts.iter().any(|t| t == "6 /h"), "{:?}", p.texts);
}

#[test]
fn text_is_escaped_and_constant_series_draw() {
    let chart = Chart {
        title: "a < b & \"c\"".into(),
        x: Axis { title: "x (s)".into(), log: false },
        y: Axis { title: "y (mW)".into(), log: true },
        series: vec![Series { name: "flat".into(), points: vec![(1.0, 5.0), (2.0, 5.0)], dashed: false }],
        markers: vec![Marker { x: 1.5, label: "<mid>".into() }],
    };
    let p = parse(&chart.to_svg().unwrap());
    assert_eq!(p.title, "a < b & \"c\"");
    assert!(p.texts.iter().any(|t| t == "<mid>"));
    let empty = Chart { series: vec![], ..chart.clone() };
    assert!(matches!(empty.to_svg(), Err(Error::Plot(_))));
    let huge = Chart {
        series: vec![Series {
            name: "h".into(),
            points: vec![(0.0, -f64::MAX), (1.0, f64::MAX)],
            dashed: false,
        }],
        y: Axis { title: "y".into(), log: false },
        ..chart.clone()
    };
    assert!(matches!(huge.to_svg(), Err(Error::Plot(_))));
    let negative_on_log = Chart {
        series: vec![Series { name: "n".into(), points: vec![(1.0, -1.0)], dashed: false }],
        ..chart
    };
    assert!(matches!(negative_on_log.to_svg(), Err(Error::Plot(_))));
}
