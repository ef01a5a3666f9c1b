#include "widgets/plots/score_histogram_plot.h"

#include "widgets/plots/color_map.h"
#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/series_style.h"

#include <QTextStream>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace tau::widgets {

QVector<double> densityHistogram(const QVector<double>& values, const QVector<double>& edges)
{
    const int bins = int(edges.size()) - 1;
    QVector<double> density(std::max(bins, 0), 0.0);
    if (bins <= 0) {
        return density;
    }
    int counted = 0;
    for (const double value : values) {
        if (!std::isfinite(value) || value < edges.front() || value > edges.back()) {
            continue;
        }
        const auto upper = std::upper_bound(edges.cbegin(), edges.cend(), value);
        const int bin = std::min(int(upper - edges.cbegin()) - 1, bins - 1);
        density[bin] += 1.0;
        ++counted;
    }
    for (int bin = 0; bin < bins && counted > 0; ++bin) {
        density[bin] /= double(counted) * (edges[bin + 1] - edges[bin]);
    }
    return density;
}

ScoreHistogramPlot::ScoreHistogramPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setWrap(4);
}

void ScoreHistogramPlot::setSamples(const QString& scoreTitle, const QVector<ScoreSample>& samples, int bins)
{
    m_plot->clearPlottables();
    m_densities.clear();
    m_edges.clear();
    double low = INFINITY, high = -INFINITY;
    for (const ScoreSample& sample : samples) {
        for (const double value : sample.values) {
            if (std::isfinite(value)) {
                low = std::min(low, value);
                high = std::max(high, value);
            }
        }
    }
    if (!(high >= low)) {
        m_plot->replot();
        return;
    }
    if (high == low) {
        high = low + 1e-9 + std::abs(low) * 1e-9; // one value everywhere: one thin bin
    }
    for (int i = 0; i <= bins; ++i) {
        m_edges.append(low + (high - low) * double(i) / bins);
    }
    QVector<QVector<double>> densities;
    double tallest = 0, lowestPeak = INFINITY, smallest = INFINITY;
    for (const ScoreSample& sample : samples) {
        densities.append(densityHistogram(sample.values, m_edges));
        m_densities.append({sample.setName, densities.back()});
        const double peak = *std::max_element(densities.back().cbegin(), densities.back().cend());
        if (peak > 0) {
            tallest = std::max(tallest, peak);
            lowestPeak = std::min(lowestPeak, peak);
        }
        for (const double value : densities.back()) {
            if (value > 0) {
                smallest = std::min(smallest, value);
            }
        }
    }
    // A peak ten times another's flattens the lower set into the axis: a log axis keeps both readable.
    m_logarithmic = tallest > 10 * lowestPeak;
    const double floor = smallest / 2; // where an empty bin's outline comes down to on a log axis
    m_plot->yAxis->setScaleType(m_logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (m_logarithmic) {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
        m_plot->yAxis->setNumberFormat(QStringLiteral("eb"));
        m_plot->yAxis->setNumberPrecision(0);
    } else {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        m_plot->yAxis->setNumberFormat(QStringLiteral("gb"));
        m_plot->yAxis->setNumberPrecision(3);
    }
    int oodIndex = 0;
    for (int s = 0; s < samples.size(); ++s) {
        const ScoreSample& sample = samples[s];
        // A step outline: each bin's density held across the bin.
        QVector<double> x, y;
        for (int bin = 0; bin < densities[s].size(); ++bin) {
            const double density = m_logarithmic ? std::max(densities[s][bin], floor) : densities[s][bin];
            x << m_edges[bin] << m_edges[bin + 1];
            y << density << density;
        }
        QCPGraph* graph = m_plot->addGraph();
        graph->setData(x, y, true);
        const QString title = sample.title.isEmpty() ? sample.setName : sample.title;
        graph->setName(sample.inDistribution ? tr("%1 (ID)").arg(title) : title);
        if (sample.inDistribution) {
            graph->setPen(QPen(QColor(90, 90, 90), 1.2));
            graph->setBrush(QColor(120, 120, 120, 90));
        } else {
            applySeriesStyle(graph, seriesStyle(oodIndex++), 1.4);
        }
    }
    m_plot->xAxis->setLabel(tr("%1 (higher: more in-distribution)").arg(scoreTitle));
    m_plot->yAxis->setLabel(tr("density"));
    keepLegendBelowWhileFilled(m_plot, 1); // inside the axes it sits on a peak, wherever it goes
    m_plot->rescaleAxes();
    if (m_logarithmic) {
        m_plot->yAxis->setRange(floor, tallest * 3);
    } else {
        m_plot->yAxis->setRange(0, tallest * 1.08); // headroom: the tallest bin does not touch the frame
    }
    applyPalette(m_plot, palette());
    m_plot->replot();
}

QString ScoreHistogramPlot::toCsv() const
{
    QString text;
    QTextStream out(&text);
    out << "set,bin_low,bin_high,density\n";
    for (const auto& [name, density] : m_densities) {
        for (int bin = 0; bin < density.size(); ++bin) {
            out << name << ',' << QString::number(m_edges[bin], 'g', 10) << ','
                << QString::number(m_edges[bin + 1], 'g', 10) << ',' << QString::number(density[bin], 'g', 10) << '\n';
        }
    }
    return text;
}

} // namespace tau::widgets
