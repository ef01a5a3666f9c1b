#include "widgets/plots/distribution_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QEvent>

#include <QHBoxLayout>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tau::widgets {

namespace {

constexpr int kReplotIntervalMs = 100;
const char* const kPercentileNames[] = {"p5", "p25", "p50", "p75", "p95"};

QCPTextElement* titleElement(QCustomPlot* plot, const QString& text)
{
    QFont font = plot->font();
    font.setBold(true);
    font.setPointSize(10);
    return new QCPTextElement(plot, text, font);
}

/** Perceptually uniform and colour-blind safe; QCustomPlot 2.1 has no such preset. */
QCPColorGradient viridis()
{
    QCPColorGradient gradient;
    gradient.clearColorStops();
    gradient.setColorStopAt(0.00, QColor(0x44, 0x01, 0x54));
    gradient.setColorStopAt(0.25, QColor(0x3b, 0x52, 0x8b));
    gradient.setColorStopAt(0.50, QColor(0x21, 0x91, 0x8c));
    gradient.setColorStopAt(0.75, QColor(0x5e, 0xc9, 0x62));
    gradient.setColorStopAt(1.00, QColor(0xfd, 0xe7, 0x25));
    return gradient;
}

} // namespace

DistributionPlot::DistributionPlot(const QString& quantity, QWidget* parent, std::function<double(double)> mapValue)
    : QWidget(parent)
    , m_quantity(quantity)
    , m_histogramPlot(new QCustomPlot(this))
    , m_evolutionPlot(new QCustomPlot(this))
{
    // Side by side: the latest epoch on the left, its history on the right, both with the quantity vertical
    // or horizontal as it reads best.
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_histogramPlot, 1);
    layout->addWidget(m_evolutionPlot, 1);

    m_histogramPlot->plotLayout()->insertRow(0);
    m_histogramPlot->plotLayout()->addElement(0, 0, titleElement(m_histogramPlot, tr("%1, latest epoch").arg(quantity)));
    m_histogramPlot->xAxis->setLabel(quantity);
    // The trainer records every view of an epoch (two per image): a share reads the same whatever the count.
    m_histogramPlot->yAxis->setLabel(tr("share of training views"));
    m_bars = new QCPBars(m_histogramPlot->xAxis, m_histogramPlot->yAxis);
    m_bars->setPen(QPen(QColor(44, 160, 44)));
    m_bars->setBrush(QColor(44, 160, 44, 120));
    for (const char* name : kPercentileNames) {
        auto* line = new QCPItemStraightLine(m_histogramPlot);
        const bool median = QString(name) == QLatin1String("p50");
        line->setPen(QPen(QColor(80, 80, 80), median ? 1.5 : 1.0, median ? Qt::SolidLine : Qt::DotLine));
        line->setVisible(false);
        m_percentileLines.append(line);
    }

    m_evolutionPlot->plotLayout()->insertRow(0);
    m_evolutionPlot->plotLayout()->addElement(0, 0, titleElement(m_evolutionPlot, tr("%1 by epoch").arg(quantity)));
    m_evolutionPlot->xAxis->setLabel(tr("epoch"));
    useWholeNumberTicks(m_evolutionPlot->xAxis); // epochs are whole
    m_evolutionPlot->yAxis->setLabel(quantity);
    m_colorMap = new QCPColorMap(m_evolutionPlot->xAxis, m_evolutionPlot->yAxis);
    m_colorMap->setInterpolate(false);
    const QCPColorGradient gradient = viridis();
    m_colorMap->setGradient(gradient);
    auto* scale = new QCPColorScale(m_evolutionPlot);
    scale->setLabel(tr("share of views"));
    scale->setGradient(gradient);
    m_evolutionPlot->plotLayout()->addElement(1, 1, scale);
    m_colorMap->setColorScale(scale);
    m_mapValue = std::move(mapValue);
    // The heat map and its scale appear with the first epoch: an empty map would draw as a block of its lowest colour.
    m_colorMap->setVisible(false);
    scale->setVisible(false);
    // Percentile bands across epochs, drawn over the heat map: 5-95 light, 25-75 darker, the median a line.
    const QColor band(255, 127, 14);
    for (int i = 0; i < 5; ++i) {
        QCPGraph* graph = m_evolutionPlot->addGraph();
        graph->setPen(i == 4 ? QPen(QColor(255, 127, 14), 2.0) : QPen(QColor(255, 127, 14, 120), 1.0));
        m_bands.append(graph);
    }
    m_bands[1]->setBrush(QColor(band.red(), band.green(), band.blue(), 40));
    m_bands[1]->setChannelFillGraph(m_bands[0]);
    m_bands[3]->setBrush(QColor(band.red(), band.green(), band.blue(), 70));
    m_bands[3]->setChannelFillGraph(m_bands[2]);

    // The comparison population (outliers) in a colour apart from the bars' green and the bands' orange.
    const QColor comparison(148, 103, 189);
    m_comparisonSteps = m_histogramPlot->addGraph();
    m_comparisonSteps->setLineStyle(QCPGraph::lsStepLeft);
    m_comparisonSteps->setPen(QPen(comparison, 2.0));
    m_comparisonMedian = m_evolutionPlot->addGraph();
    m_comparisonMedian->setPen(QPen(comparison, 2.0, Qt::DashLine));
    m_comparisonMedian->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
    m_comparisonSteps->setVisible(false);
    m_comparisonMedian->setVisible(false);
    // Plottables join a legend as they are made; a legend is shown only beside a comparison (drawComparison).
    m_histogramPlot->legend->clearItems();
    m_evolutionPlot->legend->clearItems();

    const QString waiting = tr("No epoch yet.\nThe distribution over the epoch's training images\n"
                               "appears when an epoch of a run with a temperature ends.");
    m_histogramEmpty = addEmptyNote(m_histogramPlot, waiting);
    m_evolutionEmpty = addEmptyNote(m_evolutionPlot, tr("No epoch yet.\nOne column per epoch: the share of views\n"
                                                        "at each value, and the 5-95 and 25-75 bands."));
    showEmptyState(m_histogramPlot, m_histogramEmpty, true);
    showEmptyState(m_evolutionPlot, m_evolutionEmpty, true);

    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &DistributionPlot::redraw);
    m_replotTimer.start();
    applyPalette(m_histogramPlot, palette());
    applyPalette(m_evolutionPlot, palette());
}

EpochHistogram DistributionPlot::mapped(const EpochHistogram& histogram) const
{
    if (!m_mapValue) {
        return histogram;
    }
    EpochHistogram result = histogram;
    for (double& edge : result.edges) {
        edge = m_mapValue(edge);
    }
    for (double& p : result.percentiles) {
        p = m_mapValue(p);
    }
    // A decreasing mapping (tau = t / c) reverses the order of bins and percentiles.
    if (result.edges.size() > 1 && result.edges.front() > result.edges.back()) {
        std::reverse(result.edges.begin(), result.edges.end());
        std::reverse(result.counts.begin(), result.counts.end());
        std::reverse(result.percentiles.begin(), result.percentiles.end());
    }
    return result;
}

void DistributionPlot::setFitBinsToData(bool fit)
{
    m_fitBins = fit;
    m_dirty = true;
}

EpochHistogram DistributionPlot::shown(const EpochHistogram& histogram) const
{
    EpochHistogram result = mapped(histogram);
    if (fitsBins()) {
        const QVector<double> edges = fittedEdges(result, int(histogram.counts.size()));
        result.counts = resampledCounts(result, edges);
        result.edges = edges;
    }
    return result;
}

QVector<double> DistributionPlot::medianBand() const
{
    QVector<double> median;
    for (const EpochHistogram& epoch : m_epochs) {
        const EpochHistogram shown = mapped(epoch);
        median.append(shown.percentiles.size() == 5 ? shown.percentiles[2] : qQNaN());
    }
    return median;
}

void DistributionPlot::addEpoch(const EpochHistogram& histogram)
{
    if (histogram.counts.isEmpty() || histogram.edges.size() != histogram.counts.size() + 1) {
        return;
    }
    m_epochs.append(histogram);
    m_dirty = true;
}

void DistributionPlot::addComparison(const EpochHistogram& histogram, const QString& label)
{
    if (m_mapValue || histogram.counts.isEmpty() || histogram.edges.size() != histogram.counts.size() + 1) {
        return;
    }
    m_comparison.insert(histogram.epoch, histogram);
    m_comparisonSteps->setName(label);
    m_comparisonMedian->setName(tr("%1, median").arg(label));
    m_dirty = true;
}

QVector<double> DistributionPlot::comparisonMedian() const
{
    QVector<double> median;
    for (auto it = m_comparison.begin(); it != m_comparison.end(); ++it) {
        median.append(it->percentiles.size() == 5 ? it->percentiles[2] : qQNaN());
    }
    return median;
}

void DistributionPlot::clear()
{
    m_epochs.clear();
    m_comparison.clear();
    m_comparisonSteps->data()->clear();
    m_comparisonMedian->data()->clear();
    m_bars->data()->clear();
    m_colorMap->data()->clear();
    m_colorMap->setVisible(false);
    m_colorMap->colorScale()->setVisible(false);
    for (QCPGraph* graph : m_bands) {
        graph->data()->clear();
    }
    for (auto* line : m_percentileLines) {
        line->setVisible(false);
    }
    m_dirty = true;
}

void DistributionPlot::redraw()
{
    if (!m_dirty) {
        return;
    }
    m_dirty = false;
    showEmptyState(m_histogramPlot, m_histogramEmpty, m_epochs.isEmpty());
    showEmptyState(m_evolutionPlot, m_evolutionEmpty, m_epochs.isEmpty());
    if (!m_epochs.isEmpty()) {
        drawLatest();
        drawEvolution();
        drawBands();
    }
    drawComparison();
    m_histogramPlot->replot(QCustomPlot::rpQueuedReplot);
    m_evolutionPlot->replot(QCustomPlot::rpQueuedReplot);
}

void DistributionPlot::drawBands()
{
    QVector<double> epochs;
    QVector<QVector<double>> values(5);
    for (const EpochHistogram& epoch : m_epochs) {
        const EpochHistogram drawn = mapped(epoch);
        if (drawn.percentiles.size() != 5) {
            continue;
        }
        epochs.append(epoch.epoch);
        // Graph order: p5, p95, p25, p75, p50 (each band's two edges, then the median).
        const int order[5] = {0, 4, 1, 3, 2};
        for (int i = 0; i < 5; ++i) {
            values[i].append(drawn.percentiles[order[i]]);
        }
    }
    for (int i = 0; i < 5; ++i) {
        m_bands[i]->setData(epochs, values[i], /*alreadySorted=*/true);
    }
}

void DistributionPlot::drawLatest()
{
    const EpochHistogram latest = shown(m_epochs.last());
    // Shares of the epoch's recorded values, on bins of equal width (fitted ones for r and for a mapped tau).
    const double total = std::max(1.0, std::accumulate(m_epochs.last().counts.begin(), m_epochs.last().counts.end(), 0.0));
    QVector<double> centres, shares;
    for (int i = 0; i < latest.counts.size(); ++i) {
        centres.append(0.5 * (latest.edges[i] + latest.edges[i + 1]));
        shares.append(latest.counts[i] / total);
    }
    m_bars->setWidth(latest.edges[1] - latest.edges[0]);
    m_bars->setData(centres, shares, /*alreadySorted=*/true);
    m_histogramPlot->xAxis->setRange(latest.edges.first(), latest.edges.last());
    const double highest = *std::max_element(shares.begin(), shares.end());
    m_histogramPlot->yAxis->setRange(0, std::max(1e-3, highest * 1.1));
    for (int i = 0; i < m_percentileLines.size(); ++i) {
        auto* line = m_percentileLines[i];
        line->setVisible(i < latest.percentiles.size());
        if (i < latest.percentiles.size()) {
            line->point1->setCoords(latest.percentiles[i], 0);
            line->point2->setCoords(latest.percentiles[i], 1);
        }
    }
    static_cast<QCPTextElement*>(m_histogramPlot->plotLayout()->element(0, 0))
        ->setText(tr("%1 · epoch %2 · lines: p5 p25 p50 p75 p95").arg(m_quantity).arg(latest.epoch));
}

void DistributionPlot::drawComparison()
{
    const bool shown = !m_comparison.isEmpty() && !m_epochs.isEmpty();
    m_comparisonSteps->setVisible(shown);
    m_comparisonMedian->setVisible(shown);
    if (!shown) {
        m_histogramPlot->legend->setVisible(false);
        m_evolutionPlot->legend->setVisible(false);
        return;
    }
    if (m_histogramPlot->legend->itemCount() == 0) {
        m_bars->setName(tr("training images"));
        m_bands[4]->setName(tr("training images, median"));
        m_bars->addToLegend(m_histogramPlot->legend);
        m_comparisonSteps->addToLegend(m_histogramPlot->legend);
        m_bands[4]->addToLegend(m_evolutionPlot->legend);
        m_comparisonMedian->addToLegend(m_evolutionPlot->legend);
        // Below the axes: c piles up near 1 for training images and near 0 for outliers, so no corner is free.
        placeLegendBelow(m_histogramPlot, 2);
        placeLegendBelow(m_evolutionPlot, 2);
    }
    m_histogramPlot->legend->setVisible(true);
    m_evolutionPlot->legend->setVisible(true);
    QVector<double> keys, heights;
    const EpochHistogram latest = m_comparison.value(m_epochs.last().epoch);
    const double total = std::max(1.0, std::accumulate(latest.counts.begin(), latest.counts.end(), 0.0));
    for (int i = 0; i < latest.counts.size(); ++i) {
        keys.append(latest.edges[i]);
        heights.append(latest.counts[i] / total); // a share, as the bars: two populations of any size compare
    }
    if (!latest.counts.isEmpty()) {
        keys.append(latest.edges.last());
        heights.append(0);
        const double highest = *std::max_element(heights.begin(), heights.end());
        m_histogramPlot->yAxis->setRange(0, std::max(m_histogramPlot->yAxis->range().upper, highest * 1.1));
    }
    m_comparisonSteps->setData(keys, heights, /*alreadySorted=*/true);
    QVector<double> epochs, medians;
    for (auto it = m_comparison.begin(); it != m_comparison.end(); ++it) {
        if (it->percentiles.size() == 5) {
            epochs.append(it.key());
            medians.append(it->percentiles[2]);
        }
    }
    m_comparisonMedian->setData(epochs, medians, /*alreadySorted=*/true);
}

void DistributionPlot::drawEvolution()
{
    // One grid for every epoch: the recorded bins, or (fitted) equal bins over every epoch's range.
    QVector<double> grid = m_epochs.first().edges;
    if (fitsBins()) {
        double low = INFINITY, high = -INFINITY;
        for (const EpochHistogram& epoch : m_epochs) {
            const EpochHistogram fitted = shown(epoch);
            low = std::min(low, fitted.edges.first());
            high = std::max(high, fitted.edges.last());
        }
        const int bins = int(m_epochs.first().counts.size());
        grid.clear();
        for (int i = 0; i <= bins; ++i) {
            grid.append(low + (high - low) * i / bins);
        }
    }
    const int bins = int(grid.size()) - 1;
    const int epochs = int(m_epochs.size());
    QCPColorMapData* cells = m_colorMap->data();
    cells->setSize(epochs, bins);
    cells->setRange(QCPRange(m_epochs.first().epoch, m_epochs.last().epoch),
                    QCPRange(0.5 * (grid[0] + grid[1]), 0.5 * (grid[bins - 1] + grid[bins])));
    for (int e = 0; e < epochs; ++e) {
        const QVector<double> counts = fitsBins() ? resampledCounts(mapped(m_epochs[e]), grid) : m_epochs[e].counts;
        const double total = std::max(1.0, std::accumulate(m_epochs[e].counts.begin(), m_epochs[e].counts.end(), 0.0));
        for (int b = 0; b < bins && b < counts.size(); ++b) {
            cells->setCell(e, b, counts[b] / total);
        }
    }
    m_colorMap->rescaleDataRange(/*recalculateDataBounds=*/true);
    m_colorMap->setVisible(true);
    m_colorMap->colorScale()->setVisible(true);
    m_evolutionPlot->xAxis->setRange(m_epochs.first().epoch - 0.5, m_epochs.last().epoch + 0.5);
    m_evolutionPlot->yAxis->setRange(grid.first(), grid.last());
}

QVector<double> resampledCounts(const EpochHistogram& histogram, const QVector<double>& edges)
{
    const int bins = int(edges.size()) - 1;
    QVector<double> counts(std::max(bins, 0), 0.0);
    for (int i = 0; i + 1 < histogram.edges.size() && i < histogram.counts.size(); ++i) {
        const double low = histogram.edges[i], high = histogram.edges[i + 1], count = histogram.counts[i];
        if (count == 0 || !(high > low)) {
            continue;
        }
        // The bins of edges that [low, high] overlaps, each given its share of the overlap.
        int b = int(std::upper_bound(edges.begin(), edges.end(), low) - edges.begin()) - 1;
        for (b = std::max(b, 0); b < bins && edges[b] < high; ++b) {
            const double overlap = std::min(high, edges[b + 1]) - std::max(low, edges[b]);
            if (overlap > 0) {
                counts[b] += count * overlap / (high - low);
            }
        }
    }
    return counts;
}

QVector<double> fittedEdges(const EpochHistogram& histogram, int bins)
{
    double low = INFINITY, high = -INFINITY;
    for (int i = 0; i < histogram.counts.size(); ++i) {
        if (histogram.counts[i] > 0) {
            low = std::min(low, histogram.edges[i]);
            high = std::max(high, histogram.edges[i + 1]);
        }
    }
    if (!(high > low)) {
        low = histogram.edges.first();
        high = histogram.edges.last();
    }
    if (histogram.percentiles.size() == 5) {
        const double spread = histogram.percentiles[4] - histogram.percentiles[0];
        low = std::max(low, histogram.percentiles[0] - 2 * spread);
        high = std::min(high, histogram.percentiles[4] + 2 * spread);
    }
    if (!(high > low)) {
        high = low + 1e-9;
    }
    QVector<double> edges;
    for (int i = 0; i <= std::max(bins, 1); ++i) {
        edges.append(low + (high - low) * i / std::max(bins, 1));
    }
    return edges;
}

void DistributionPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(m_histogramPlot, palette());
        applyPalette(m_evolutionPlot, palette());
    }
    QWidget::changeEvent(event);
}

} // namespace tau::widgets
