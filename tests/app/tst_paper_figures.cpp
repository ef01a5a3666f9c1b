// Every figure kind laid out for a paper, at a column's width and a page's, with the catalogue's longest names:
// each piece of text is caught where it is drawn (a paint device that records text) and checked against the
// figure's edges, the clip it was drawn under and every other piece of text; fonts are checked at print size.
// Grey prints are checked by rendering the legend's line samples in grey and comparing them pairwise.

#include "app/bridge/evaluation_views.h"
#include "core/data/dataset_catalog.h"
#include "core/methods/score_catalog.h"
#include "widgets/browser/thumbnail_set.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/embedding_plot.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/run_comparison_plot.h"
#include "widgets/plots/scalar_plot.h"
#include "widgets/plots/score_histogram_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QImage>
#include <QPaintEngine>
#include <QRandomGenerator>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace tau;
using namespace tau::widgets;

namespace {

/** One piece of text as it was drawn: where (figure units: points), under which clip, in which font size. */
struct DrawnText
{
    QString text;
    QRectF box;
    QRectF clip; ///< empty: none
    int pixelSize = 0;
    double pointSize = 0;
};

/** A paint engine that keeps every text it is given and draws nothing. */
class TextRecordingEngine : public QPaintEngine
{
public:
    TextRecordingEngine() : QPaintEngine(QPaintEngine::AllFeatures) {}

    bool begin(QPaintDevice*) override { return true; }
    bool end() override { return true; }
    void updateState(const QPaintEngineState&) override {}
    // Everything but text is ignored (the defaults would turn one primitive into another without end).
    void drawPixmap(const QRectF&, const QPixmap&, const QRectF&) override {}
    void drawPath(const QPainterPath&) override {}
    void drawPolygon(const QPointF*, int, PolygonDrawMode) override {}
    void drawPolygon(const QPoint*, int, PolygonDrawMode) override {}
    void drawLines(const QLineF*, int) override {}
    void drawLines(const QLine*, int) override {}
    void drawRects(const QRectF*, int) override {}
    void drawRects(const QRect*, int) override {}
    void drawPoints(const QPointF*, int) override {}
    void drawPoints(const QPoint*, int) override {}
    void drawEllipse(const QRectF&) override {}
    void drawEllipse(const QRect&) override {}
    void drawImage(const QRectF&, const QImage&, const QRectF&, Qt::ImageConversionFlags) override {}
    void drawTiledPixmap(const QRectF&, const QPixmap&, const QPointF&) override {}
    Type type() const override { return QPaintEngine::User; }

    void drawTextItem(const QPointF& origin, const QTextItem& item) override
    {
        if (item.text().trimmed().isEmpty()) {
            return;
        }
        const QFontMetricsF metrics(item.font());
        // The ink's extent: the advance across, ascent and descent around the baseline.
        const QRectF local(origin.x(), origin.y() - metrics.ascent(), metrics.horizontalAdvance(item.text()),
                           metrics.ascent() + metrics.descent());
        const QTransform transform = painter()->combinedTransform();
        DrawnText drawn;
        drawn.text = item.text();
        drawn.box = transform.mapRect(local);
        if (painter()->hasClipping()) {
            drawn.clip = transform.mapRect(painter()->clipBoundingRect());
        }
        drawn.pixelSize = item.font().pixelSize();
        drawn.pointSize = item.font().pointSizeF();
        texts.append(drawn);
    }

    QVector<DrawnText> texts;
};

/** A device the size of the figure, in points (72 per inch), painted by TextRecordingEngine. */
class TextRecorder : public QPaintDevice
{
public:
    explicit TextRecorder(QSize size) : m_size(size) {}
    QPaintEngine* paintEngine() const override { return &m_engine; }
    const QVector<DrawnText>& texts() const { return m_engine.texts; }

protected:
    int metric(PaintDeviceMetric metric) const override
    {
        switch (metric) {
        case PdmWidth:
            return m_size.width();
        case PdmHeight:
            return m_size.height();
        case PdmWidthMM:
            return int(m_size.width() * 25.4 / 72);
        case PdmHeightMM:
            return int(m_size.height() * 25.4 / 72);
        case PdmNumColors:
            return INT_MAX;
        case PdmDepth:
            return 32;
        case PdmDpiX:
        case PdmDpiY:
        case PdmPhysicalDpiX:
        case PdmPhysicalDpiY:
            return 72;
        case PdmDevicePixelRatio:
            return 1;
        case PdmDevicePixelRatioScaled:
            return int(QPaintDevice::devicePixelRatioFScale());
        default:
            return 0;
        }
    }

private:
    QSize m_size;
    mutable TextRecordingEngine m_engine;
};

constexpr double kTolerance = 0.6; ///< points: rounding of a layout in whole units

QString describe(const DrawnText& text)
{
    return QStringLiteral("'%1' at (%2, %3, %4 x %5)")
        .arg(text.text)
        .arg(text.box.x(), 0, 'f', 1)
        .arg(text.box.y(), 0, 'f', 1)
        .arg(text.box.width(), 0, 'f', 1)
        .arg(text.box.height(), 0, 'f', 1);
}

/** What is wrong with the text of @p plot laid out as a paper figure; empty when nothing is. */
QStringList textProblems(QCustomPlot* plot, FigureSize size, const PaperLayout& layout = {})
{
    FigureOptions options;
    options.size = size;
    const PaperFigure figure(plot, options, layout);
    TextRecorder recorder(figure.size());
    QCPPainter painter(&recorder);
    figure.draw(&painter);
    painter.end();
    QStringList problems;
    const QRectF page = QRectF(QPointF(0, 0), QSizeF(figure.size())).adjusted(-kTolerance, -kTolerance, kTolerance, kTolerance);
    const double smallest = paperTextPoints(size) - 0.01, largest = 9.01;
    const QVector<DrawnText>& texts = recorder.texts();
    if (texts.isEmpty()) {
        problems << QStringLiteral("no text drawn at all");
    }
    for (int i = 0; i < texts.size(); ++i) {
        const DrawnText& text = texts[i];
        if (!page.contains(text.box)) {
            problems << describe(text) + QStringLiteral(" leaves the figure (%1 x %2)").arg(figure.size().width()).arg(figure.size().height());
        }
        if (!text.clip.isEmpty() && !text.clip.adjusted(-kTolerance, -kTolerance, kTolerance, kTolerance).contains(text.box)) {
            problems << describe(text) + QStringLiteral(" is clipped (to %1, %2, %3 x %4)")
                                             .arg(text.clip.x(), 0, 'f', 1)
                                             .arg(text.clip.y(), 0, 'f', 1)
                                             .arg(text.clip.width(), 0, 'f', 1)
                                             .arg(text.clip.height(), 0, 'f', 1);
        }
        if (text.pixelSize < smallest || text.pixelSize > largest) {
            problems << describe(text) + QStringLiteral(" prints at %1 pt (pixel size %2, point size %3)")
                                             .arg(text.pixelSize > 0 ? text.pixelSize : text.pointSize)
                                             .arg(text.pixelSize)
                                             .arg(text.pointSize);
        }
        for (int j = i + 1; j < texts.size(); ++j) {
            const QRectF both = text.box.intersected(texts[j].box);
            if (both.width() > kTolerance && both.height() > kTolerance) {
                problems << describe(text) + QStringLiteral(" overlaps ") + describe(texts[j]);
            }
        }
    }
    return problems;
}

#define VERIFY_LAID_OUT(plot, layout, what)                                                                           \
    for (FigureSize size : {FigureSize::Column, FigureSize::DoubleColumn}) {                                          \
        const QStringList problems = textProblems(plot, size, layout);                                                \
        QVERIFY2(problems.isEmpty(), qPrintable(QStringLiteral("%1 at %2 in: ").arg(what).arg(figureWidthInches(size)) + \
                                                problems.mid(0, 6).join(QStringLiteral("; "))));                      \
    }

/** The catalogue's scores, longest titles first: the hardest legend to fit. */
QStringList longestScores(int count)
{
    std::vector<std::string> names = core::scoreNames();
    std::stable_sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
        return core::scoreTitle(a).size() > core::scoreTitle(b).size();
    });
    QStringList result;
    for (int i = 0; i < count && i < int(names.size()); ++i) {
        result << QString::fromStdString(names[i]);
    }
    return result;
}

/** The registry's datasets, longest titles first. */
QStringList longestSets(int count)
{
    std::vector<core::DatasetInfo> rows = core::datasetRegistry();
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.title.size() > b.title.size(); });
    QStringList result;
    for (int i = 0; i < count && i < int(rows.size()); ++i) {
        result << QString::fromStdString(rows[i].name);
    }
    return result;
}

RocSeries curve(const QString& score, double power)
{
    RocSeries series;
    series.name = score;
    series.title = app::scoreTitle(score);
    series.style = app::scoreStyle(score);
    for (int i = 0; i <= 200; ++i) {
        const double fpr = i / 200.0;
        series.fpr.append(fpr);
        series.tpr.append(std::pow(fpr, power));
    }
    series.auroc = 1.0 / (power + 1.0);
    return series;
}

QVector<RocPanel> rocPanels(int sets, int scores)
{
    QVector<RocPanel> panels;
    for (const QString& set : longestSets(sets)) {
        RocPanel panel{set, app::datasetTitle(set), {}};
        int k = 0;
        for (const QString& score : longestScores(scores)) {
            panel.series.append(curve(score, 0.1 + 0.15 * k++));
        }
        panels.append(panel);
    }
    return panels;
}

QVector<ScoreSample> scoreSamples(int oodSets)
{
    QRandomGenerator random(7);
    const auto normal = [&random](double mean, double spread, int count) {
        QVector<double> values;
        for (int i = 0; i < count; ++i) {
            const double u = std::max(random.generateDouble(), 1e-12), v = random.generateDouble();
            values.append(mean + spread * std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v));
        }
        return values;
    };
    QVector<ScoreSample> samples{{QStringLiteral("mnist"), app::datasetTitle(QStringLiteral("mnist")), true, normal(0.8, 0.05, 2000)}};
    int k = 0;
    for (const QString& set : longestSets(oodSets)) {
        samples.append({set, app::datasetTitle(set), false, normal(0.3 + 0.05 * k, 0.1 + 0.02 * k, 2000)});
        ++k;
    }
    return samples;
}

EpochHistogram certaintyEpoch(int epoch)
{
    EpochHistogram histogram;
    histogram.epoch = epoch;
    for (int i = 0; i <= 32; ++i) {
        histogram.edges.append(i / 32.0);
    }
    for (int i = 0; i < 32; ++i) {
        const double centre = (i + 0.5) / 32.0;
        histogram.counts.append(std::round(500 * std::exp(-std::pow((centre - 0.4 - 0.02 * epoch) / 0.1, 2))));
    }
    histogram.percentiles = {0.25, 0.33, 0.4, 0.47, 0.55};
    return histogram;
}

} // namespace

class TestPaperFigures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogueGivesEveryScoreItsOwnStyleAndTitle();
    void aScoreKeepsItsStyleWhateverTheOrder();
    void rocCurvesFitAtBothWidths();
    void rocPanelsWrapIntoRowsOfSquareAxes();
    void rocStylesStayApartInGrey();
    void logarithmicRocDrawsTheDiagonalAsTprEqualsFpr();
    void scoreHistogramsFitAndKeepEverySetVisible();
    void trainingCurvesFit();
    void distributionsFit();
    void embeddingFits();
    void runComparisonsAndScalarsFit();
};

void TestPaperFigures::catalogueGivesEveryScoreItsOwnStyleAndTitle()
{
    QSet<int> styles;
    QSet<QString> titles;
    QSet<QPair<int, int>> greyPairs; // (dash, marker): what a grey print keeps
    for (const core::ScoreInfo& info : core::scoreCatalog()) {
        QVERIFY2(!info.title.empty() && info.title != info.name, info.name.c_str()); // for people, not for files
        QVERIFY2(!titles.contains(QString::fromStdString(info.title)), info.title.c_str());
        titles.insert(QString::fromStdString(info.title));
        QVERIFY2(info.figureStyle >= 0 && info.figureStyle < seriesStyleCount(), info.name.c_str());
        QVERIFY2(!styles.contains(info.figureStyle), info.name.c_str());
        styles.insert(info.figureStyle);
        const SeriesStyle style = seriesStyle(info.figureStyle);
        const QPair<int, int> grey(int(style.dash), style.marker);
        QVERIFY2(!greyPairs.contains(grey), info.name.c_str());
        greyPairs.insert(grey);
    }
    for (const core::DatasetInfo& info : core::datasetRegistry()) { // sets appear in legends and headers too
        QVERIFY2(!info.title.empty(), info.name.c_str());
    }
    for (int i = 0; i < seriesStyleCount(); ++i) { // the table itself: each row apart from the others in grey
        for (int j = i + 1; j < seriesStyleCount(); ++j) {
            QVERIFY(seriesStyle(i).dash != seriesStyle(j).dash || seriesStyle(i).marker != seriesStyle(j).marker);
        }
    }
}

void TestPaperFigures::aScoreKeepsItsStyleWhateverTheOrder()
{
    app::EvaluationFolder first, second;
    for (app::EvaluationFolder* evaluation : {&first, &second}) {
        evaluation->inDataset = QStringLiteral("mnist");
        evaluation->oodSets = {QStringLiteral("gaussian_noise")};
    }
    first.scores = {QStringLiteral("tau"), QStringLiteral("knn")};
    second.scores = {QStringLiteral("knn"), QStringLiteral("mahalanobis"), QStringLiteral("tau")};
    for (app::EvaluationFolder* evaluation : {&first, &second}) {
        for (const QString& score : evaluation->scores) {
            evaluation->roc[QStringLiteral("gaussian_noise")][score] = curve(score, 0.5);
        }
    }
    const auto styleOfTau = [](const app::EvaluationFolder& evaluation) {
        const QVector<RocPanel> panels = app::rocPanelsOf({evaluation});
        for (const RocSeries& series : panels.front().series) {
            if (series.name == QLatin1String("tau")) {
                return series.style;
            }
        }
        return SeriesStyle{};
    };
    QCOMPARE(styleOfTau(first).colour, styleOfTau(second).colour);
    QCOMPARE(styleOfTau(first).dash, styleOfTau(second).dash);
    QCOMPARE(app::rocPanelsOf({first}).front().series.front().title, QStringLiteral("TaU c"));
    QCOMPARE(app::rocPanelsOf({first}).front().title, QStringLiteral("Gaussian noise"));
}

void TestPaperFigures::rocCurvesFitAtBothWidths()
{
    for (int sets : {1, 3, 8}) {
        for (int scores : {1, 3, 6}) {
            RocPlot plot;
            plot.resize(900, 500);
            plot.setPanels(rocPanels(sets, scores));
            VERIFY_LAID_OUT(plot.plot(), plot.paperLayout(), QStringLiteral("ROC, %1 sets x %2 scores").arg(sets).arg(scores));
            plot.setLogarithmicFpr(true);
            VERIFY_LAID_OUT(plot.plot(), plot.paperLayout(), QStringLiteral("log ROC, %1 sets x %2 scores").arg(sets).arg(scores));
        }
    }
}

void TestPaperFigures::rocPanelsWrapIntoRowsOfSquareAxes()
{
    RocPlot plot;
    plot.resize(900, 500);
    plot.setPanels(rocPanels(3, 3));
    QCOMPARE(plot.panelsPerRow(), 3); // on screen: three abreast
    {
        const PaperFigure column(plot.plot(), FigureOptions{FigureSize::Column}, plot.paperLayout());
        QCOMPARE(plot.panelsPerRow(), 2); // a column holds two legible panels: 2 + 1
        QSet<int> rows;
        for (QCPAxisRect* rect : plot.plot()->axisRects()) {
            QVERIFY2(std::abs(rect->rect().width() - rect->rect().height()) <= 2,
                     qPrintable(QStringLiteral("%1 x %2").arg(rect->rect().width()).arg(rect->rect().height())));
            rows.insert(rect->rect().top());
        }
        QCOMPARE(rows.size(), 2);
    }
    QCOMPARE(plot.panelsPerRow(), 3); // the screen's arrangement is back
    const PaperFigure page(plot.plot(), FigureOptions{FigureSize::DoubleColumn}, plot.paperLayout());
    QCOMPARE(plot.panelsPerRow(), 3);
    QCOMPARE(rocPanelsPerRow(8, 504), 4);
    QCOMPARE(rocPanelsPerRow(5, 504), 3);
    QCOMPARE(rocPanelsPerRow(8, 252), 2);
}

void TestPaperFigures::rocStylesStayApartInGrey()
{
    RocPlot plot;
    plot.resize(900, 500);
    plot.setPanels(rocPanels(2, 6));
    FigureOptions options;
    options.size = FigureSize::DoubleColumn;
    const PaperFigure figure(plot.plot(), options, plot.paperLayout());
    constexpr double scale = 300.0 / 72.0;
    QImage image(int(figure.size().width() * scale), int(figure.size().height() * scale), QImage::Format_ARGB32);
    image.fill(Qt::white);
    QCPPainter painter(&image);
    painter.scale(scale, scale);
    figure.draw(&painter);
    painter.end();
    const QImage grey = image.convertToFormat(QImage::Format_Grayscale8);
    // The shared legend's line samples, as a grey print shows them: every pair must differ.
    QCPLegend* legend = plot.plot()->legend;
    QVERIFY(legend != nullptr);
    QVector<QImage> samples;
    for (int i = 0; i < 6; ++i) {
        const QRect item = legend->item(i)->rect();
        samples.append(grey.copy(QRectF(item.x() * scale, item.y() * scale, 22 * scale, item.height() * scale).toRect()));
    }
    for (int i = 0; i < samples.size(); ++i) {
        for (int j = i + 1; j < samples.size(); ++j) {
            int differing = 0;
            for (int y = 0; y < samples[i].height(); ++y) {
                for (int x = 0; x < samples[i].width(); ++x) {
                    differing += std::abs(qGray(samples[i].pixel(x, y)) - qGray(samples[j].pixel(x, y))) > 60;
                }
            }
            QVERIFY2(differing > 20, qPrintable(QStringLiteral("legend samples %1 and %2 print alike in grey (%3 pixels differ)")
                                                    .arg(i)
                                                    .arg(j)
                                                    .arg(differing)));
        }
    }
}

void TestPaperFigures::logarithmicRocDrawsTheDiagonalAsTprEqualsFpr()
{
    RocPlot plot;
    plot.setPanels(rocPanels(1, 1));
    plot.setLogarithmicFpr(true);
    QCPGraph* chance = plot.plot()->graph(0);
    QVERIFY(chance->data()->size() > 10); // a curve on a log axis, not a straight two-point line
    for (auto point = chance->data()->constBegin(); point != chance->data()->constEnd(); ++point) {
        QCOMPARE(point->value, point->key);
    }
}

void TestPaperFigures::scoreHistogramsFitAndKeepEverySetVisible()
{
    for (int sets : {1, 3, 8}) {
        ScoreHistogramPlot plot;
        plot.resize(800, 500);
        plot.setSamples(app::scoreTitle(QStringLiteral("tau_mahalanobis")), scoreSamples(sets));
        VERIFY_LAID_OUT(plot.plot(), plot.paperLayout(), QStringLiteral("score histograms, %1 OOD sets").arg(sets));
    }
    // A narrow ID peak beside a wide OOD spread: the OOD set would be a flat line on a linear axis.
    QVector<ScoreSample> samples = scoreSamples(1);
    for (double& value : samples[0].values) {
        value = 0.8 + (value - 0.8) * 0.02;
    }
    for (double& value : samples[1].values) {
        value = 0.3 + (value - 0.3) * 3;
    }
    ScoreHistogramPlot plot;
    plot.setSamples(QStringLiteral("TaU c"), samples);
    QVERIFY(plot.logarithmicDensity());
    const double top = plot.plot()->yAxis->range().upper;
    for (int g = 0; g < plot.plot()->graphCount(); ++g) {
        for (auto point = plot.plot()->graph(g)->data()->constBegin(); point != plot.plot()->graph(g)->data()->constEnd(); ++point) {
            QVERIFY(point->value < top); // nothing pressed against the frame
        }
    }
}

void TestPaperFigures::trainingCurvesFit()
{
    TrainingCurvePlot plot;
    plot.resize(800, 450);
    for (int step = 1; step <= 400; ++step) {
        plot.addStep(step, 5.0 * std::exp(-step / 150.0) + 0.1 * std::sin(step), 0.3 * std::min(1.0, step / 40.0));
        if (step % 100 == 0) {
            plot.addEpoch(step, 5.0 * std::exp(-step / 150.0));
        }
    }
    plot.replotIfChanged();
    VERIFY_LAID_OUT(plot.plot(), PaperLayout{}, QStringLiteral("training curves"));
}

void TestPaperFigures::distributionsFit()
{
    DistributionPlot certainty(QStringLiteral("c = sigmoid(r)"));
    DistributionPlot temperature(QStringLiteral("temperature τ = t / c"), nullptr, [](double c) { return 0.1 / std::max(c, 1e-3); });
    for (DistributionPlot* plot : {&certainty, &temperature}) {
        plot->resize(800, 600);
        for (int epoch = 1; epoch <= 12; ++epoch) {
            plot->addEpoch(certaintyEpoch(epoch));
        }
        plot->redraw();
        VERIFY_LAID_OUT(plot->histogramPlot(), PaperLayout{}, QStringLiteral("%1 histogram").arg(plot == &certainty ? "c" : "tau"));
        VERIFY_LAID_OUT(plot->evolutionPlot(), PaperLayout{}, QStringLiteral("%1 by epoch").arg(plot == &certainty ? "c" : "tau"));
    }
}

void TestPaperFigures::embeddingFits()
{
    QVector<SharedThumbnailSet> sets;
    QVector<EmbeddingPoint> points;
    QRandomGenerator random(3);
    int s = 0;
    for (const QString& name : QStringList{QStringLiteral("mnist")} + longestSets(3)) {
        auto set = std::make_shared<ThumbnailSet>();
        set->name = app::datasetTitle(name);
        set->outOfDistribution = s > 0;
        for (int i = 0; i < 60; ++i) {
            set->labels.append(i % 10);
            set->scores.append(random.generateDouble());
            points.append({random.generateDouble() * 4 + s, random.generateDouble() * 3 - s, s, i});
        }
        sets.append(set);
        ++s;
    }
    EmbeddingPlot plot;
    plot.resize(800, 600);
    plot.setData(sets, points, QStringLiteral("PCA"));
    for (auto colouring : {EmbeddingPlot::Colouring::Certainty, EmbeddingPlot::Colouring::Class}) {
        plot.setColouring(colouring);
        VERIFY_LAID_OUT(plot.plot(), PaperLayout{}, QStringLiteral("embedding"));
    }
    // One set coloured by c has no legend: the axes must still take the width (an empty legend in the layout
    // once squeezed them to a sliver beside the colour bar).
    QVector<EmbeddingPoint> idPoints;
    for (const EmbeddingPoint& point : points) {
        if (point.set == 0) {
            idPoints.append(point);
        }
    }
    plot.setData({sets.front()}, idPoints, QStringLiteral("PCA"));
    plot.setColouring(EmbeddingPlot::Colouring::Certainty);
    {
        const PaperFigure figure(plot.plot(), FigureOptions{FigureSize::Column});
        QVERIFY2(plot.plot()->axisRect()->rect().width() > figure.size().width() / 2,
                 qPrintable(QString::number(plot.plot()->axisRect()->rect().width())));
    }
    VERIFY_LAID_OUT(plot.plot(), PaperLayout{}, QStringLiteral("embedding, one set by c"));
}

void TestPaperFigures::runComparisonsAndScalarsFit()
{
    RunComparisonPlot comparison;
    comparison.resize(800, 450);
    ComparedSeries loss{QStringLiteral("loss"), {}};
    for (int run = 0; run < 6; ++run) {
        CurveSeries series{QStringLiteral("tau_simclr_mnist_seed-group-%1").arg(run), {}, {}, {}};
        for (int epoch = 1; epoch <= 20; ++epoch) {
            series.x.append(epoch);
            series.values.append(4.0 * std::exp(-epoch / (5.0 + run)));
            series.spread.append(0.1);
        }
        loss.curves.append(series);
    }
    comparison.setSeries({loss});
    VERIFY_LAID_OUT(comparison.plot(), PaperLayout{}, QStringLiteral("runs compared"));

    ScalarPlot scalars;
    scalars.resize(800, 450);
    for (int epoch = 1; epoch <= 20; ++epoch) {
        scalars.addPoint(QStringLiteral("knn_top1"), epoch, 0.5 + 0.02 * epoch);
    }
    scalars.showSeries(QStringLiteral("knn_top1"));
    VERIFY_LAID_OUT(scalars.plot(), PaperLayout{}, QStringLiteral("scalars"));
}

QTEST_MAIN(TestPaperFigures)
#include "tst_paper_figures.moc"
