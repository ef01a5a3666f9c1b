#include "widgets/plots/distribution_plot.h"

#include "widgets/plots/qcp.h"

#include <QtTest>

using namespace tau::widgets;

class TestDistributionPlot : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void heatMapAppearsWithTheFirstEpoch();
    void comparisonIsDrawnBesideTheTrainingImages();
    void resamplingKeepsTheMass();
    void mappedAndFittedQuantitiesGetEqualBinsOfTheirOwn();
};

namespace {

QCPColorMap* colorMapOf(const DistributionPlot& plot)
{
    for (int i = 0; i < plot.evolutionPlot()->plottableCount(); ++i) {
        if (auto* map = qobject_cast<QCPColorMap*>(plot.evolutionPlot()->plottable(i))) {
            return map;
        }
    }
    return nullptr;
}

EpochHistogram epoch(int number)
{
    EpochHistogram histogram;
    histogram.epoch = number;
    histogram.edges = {0.0, 0.25, 0.5, 0.75, 1.0};
    histogram.counts = {1, 4, 9, 2};
    histogram.percentiles = {0.2, 0.4, 0.5, 0.6, 0.8};
    return histogram;
}

} // namespace

// Before any epoch an empty heat map would draw as one block of its lowest colour, which reads as data.
void TestDistributionPlot::heatMapAppearsWithTheFirstEpoch()
{
    DistributionPlot plot(QStringLiteral("c"));
    QCPColorMap* map = colorMapOf(plot);
    QVERIFY(map != nullptr);
    QVERIFY(!map->visible());
    QVERIFY(!map->colorScale()->visible());
    plot.addEpoch(epoch(1));
    plot.addEpoch(epoch(2));
    plot.redraw();
    QVERIFY(map->visible());
    QVERIFY(map->colorScale()->visible());
    QCOMPARE(map->data()->keySize(), 2);
    plot.clear();
    plot.redraw();
    QVERIFY(!map->visible());
}

/**
 * Outlier exposure's synthetic outliers beside the training images: their latest histogram as an outline over the
 * bars, their median by epoch, a legend naming both; a plot with a change of variable (tau) takes none.
 */
void TestDistributionPlot::comparisonIsDrawnBesideTheTrainingImages()
{
    DistributionPlot plot(QStringLiteral("c"));
    plot.addEpoch(epoch(1));
    plot.redraw();
    QVERIFY(!plot.histogramPlot()->legend->visible()); // nothing to tell apart yet
    QVERIFY(plot.comparisonMedian().isEmpty());

    for (int number : {1, 2}) {
        EpochHistogram outliers = epoch(number);
        outliers.counts = {7, 1, 0, 0};
        outliers.percentiles = {0.02, 0.05, 0.1 / number, 0.2, 0.3};
        plot.addComparison(outliers, QStringLiteral("synthetic outliers"));
        if (number == 2) {
            plot.addEpoch(epoch(2));
        }
    }
    plot.redraw();
    QCOMPARE(plot.comparisonMedian(), (QVector<double>{0.1, 0.05}));
    QCustomPlot* histogram = plot.histogramPlot();
    QVERIFY(histogram->legend->visible() && plot.evolutionPlot()->legend->visible());
    QCOMPARE(histogram->legend->itemCount(), 2);
    QStringList names;
    for (int i = 0; i < histogram->legend->itemCount(); ++i) {
        names << static_cast<QCPPlottableLegendItem*>(histogram->legend->item(i))->plottable()->name();
    }
    QCOMPARE(names, (QStringList{"training images", "synthetic outliers"}));
    // The outline is the latest epoch's outliers, edge to edge, as shares (7 and 1 of 8), as the bars are.
    QCPGraph* outline = nullptr;
    for (int i = 0; i < histogram->graphCount(); ++i) {
        if (histogram->graph(i)->name() == QLatin1String("synthetic outliers")) {
            outline = histogram->graph(i);
        }
    }
    QVERIFY(outline != nullptr && outline->visible());
    QCOMPARE(outline->data()->size(), 5);
    QCOMPARE(outline->data()->at(0)->value, 7.0 / 8.0);
    QCOMPARE(outline->data()->at(1)->value, 1.0 / 8.0);

    DistributionPlot temperature(QStringLiteral("tau"), nullptr, [](double c) { return 0.1 / std::max(c, 1e-3); });
    temperature.addEpoch(epoch(1));
    temperature.addComparison(epoch(1), QStringLiteral("synthetic outliers"));
    temperature.redraw();
    QVERIFY(temperature.comparisonMedian().isEmpty());
    QVERIFY(!temperature.histogramPlot()->legend->visible());
}

void TestDistributionPlot::resamplingKeepsTheMass()
{
    EpochHistogram histogram;
    histogram.edges = {0.0, 1.0, 2.0};
    histogram.counts = {4, 8};
    // Each bin's count spread evenly over it: halves of [0, 1] get 2 each, halves of [1, 2] get 4 each.
    QCOMPARE(resampledCounts(histogram, {0.0, 0.5, 1.0, 1.5, 2.0}), (QVector<double>{2, 2, 4, 4}));
    // Coarser and shifted: [0.5, 1.5] takes half of each; mass outside the new edges is dropped.
    QCOMPARE(resampledCounts(histogram, {0.5, 1.5}), (QVector<double>{6}));
    QCOMPARE(resampledCounts(histogram, {-1.0, 3.0}), (QVector<double>{12}));
    // Fitted edges span where the counts are, in equal steps.
    histogram.edges = {0, 1, 2, 3, 4, 5};
    histogram.counts = {0, 3, 5, 0, 0};
    QCOMPARE(fittedEdges(histogram, 4), (QVector<double>{1.0, 1.5, 2.0, 2.5, 3.0}));
}

// tau = t / c maps c's equal bins to unequal ones; r's recorded bins change from epoch to epoch. Both are drawn
// on equal bins fitted to the data, as shares that add up to the share inside them.
void TestDistributionPlot::mappedAndFittedQuantitiesGetEqualBinsOfTheirOwn()
{
    DistributionPlot temperature(QStringLiteral("tau"), nullptr, [](double c) { return 0.1 / std::max(c, 1e-6); });
    temperature.addEpoch(epoch(1));
    temperature.redraw();
    QCPBars* bars = nullptr;
    for (int i = 0; i < temperature.histogramPlot()->plottableCount(); ++i) {
        bars = bars ? bars : qobject_cast<QCPBars*>(temperature.histogramPlot()->plottable(i));
    }
    QVERIFY(bars != nullptr && bars->visible());
    QVector<double> keys;
    double total = 0;
    for (auto bar = bars->data()->constBegin(); bar != bars->data()->constEnd(); ++bar) {
        keys.append(bar->key);
        total += bar->value;
    }
    QVERIFY(keys.size() >= 4);
    for (int i = 2; i < keys.size(); ++i) {
        QVERIFY(std::abs((keys[i] - keys[i - 1]) - (keys[1] - keys[0])) < 1e-9); // equal widths
    }
    QVERIFY(total > 0.5 && total <= 1.0 + 1e-9); // shares of the views, not counts
    // The heat map is there for a mapped quantity too, on its own grid.
    QVERIFY(colorMapOf(temperature)->visible());

    DistributionPlot raw(QStringLiteral("r"));
    raw.setFitBinsToData(true);
    EpochHistogram young = epoch(1), older = epoch(2);
    young.edges = {-0.4, -0.2, 0.0, 0.2, 0.4};
    young.percentiles = {-0.3, -0.1, 0.0, 0.1, 0.3};
    older.edges = {-4.0, -2.0, 0.0, 2.0, 4.0};
    older.percentiles = {-3.0, -1.0, 0.0, 1.0, 3.0};
    raw.addEpoch(young);
    raw.addEpoch(older);
    raw.redraw();
    QCPColorMapData* cells = colorMapOf(raw)->data();
    QCOMPARE(cells->keySize(), 2);
    // The grid spans both epochs' ranges: the older one's values reach -4 and 4 (its outer cells centred at ±3).
    QVERIFY(cells->valueRange().lower <= -2.99 && cells->valueRange().upper >= 2.99);
    QCOMPARE(raw.evolutionPlot()->yAxis->range().lower, -4.0);
}

QTEST_MAIN(TestDistributionPlot)
#include "tst_distribution_plot.moc"
