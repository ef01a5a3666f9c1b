#include "widgets/plots/roc_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QVBoxLayout>

namespace tau::widgets {

namespace {
const QColor kColours[] = {QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),
                           QColor(214, 39, 40),  QColor(148, 103, 189), QColor(140, 86, 75)};
constexpr double kLowestLogFpr = 1e-4;
} // namespace

RocPlot::RocPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setAutoAddPlottableToLegend(false); // each panel has a legend of its own
}

void RocPlot::setLogarithmicFpr(bool logarithmic)
{
    m_logarithmic = logarithmic;
    setPanels(m_panels);
}

void RocPlot::setPanels(const QVector<RocPanel>& panels)
{
    m_panels = panels;
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->plotLayout()->clear();
    m_plot->legend = nullptr;
    m_panelCount = 0;
    // A grid of panels, at most three abreast: each cell is a title, the axes and a legend, stacked.
    const int columns = panels.size() <= 3 ? int(panels.size()) : (panels.size() == 4 ? 2 : 3);
    auto* margins = new QCPMarginGroup(m_plot);
    for (int p = 0; p < panels.size(); ++p) {
        const int row = 3 * (p / std::max(1, columns)), column = p % std::max(1, columns);
        auto* rect = new QCPAxisRect(m_plot);
        m_plot->plotLayout()->addElement(row + 1, column, rect);
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        x->setLabel(tr("FPR")); // OOD images accepted; short enough for a column
        y->setLabel(column == 0 ? tr("TPR") : QString()); // ID images kept
        y->setRange(0, 1.02);
        y->ticker()->setTickCount(4);
        if (m_logarithmic) {
            x->setScaleType(QCPAxis::stLogarithmic);
            // Every second decade, as powers of ten: 0.0001 ... 1 side by side do not fit a narrow panel.
            QSharedPointer<QCPAxisTickerLog> decades(new QCPAxisTickerLog);
            decades->setLogBase(100);
            decades->setSubTickCount(1);
            x->setTicker(decades);
            x->setNumberFormat(QStringLiteral("eb"));
            x->setNumberPrecision(0);
            x->setRange(kLowestLogFpr, 1);
        } else {
            x->setRange(0, 1);
            QSharedPointer<QCPAxisTickerFixed> halves(new QCPAxisTickerFixed);
            halves->setTickStep(0.5); // 0, 0.5, 1: legible at a column's width
            x->setTicker(halves);
        }
        // Panels share their margins, so every panel's axes get the same width; each legend sits under its panel.
        rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        auto* legend = new QCPLegend;
        m_plot->plotLayout()->addElement(row + 2, column, legend);
        legend->setLayer(QStringLiteral("legend"));
        legend->setBorderPen(Qt::NoPen);
        QFont small = m_plot->font();
        small.setPointSizeF(7.5);
        legend->setFont(small);
        legend->setIconSize(14, 11); // an item is as tall as its icon: shorter clips underscores
        legend->setRowSpacing(0);
        legend->setMargins(QMargins(3, 2, 3, 2));
        m_plot->plotLayout()->addElement(
            row, column, new QCPTextElement(m_plot, panels[p].oodName, QFont(m_plot->font().family(), 9, QFont::Bold)));

        QCPGraph* chance = m_plot->addGraph(x, y);
        chance->setData({m_logarithmic ? kLowestLogFpr : 0.0, 1.0}, {m_logarithmic ? kLowestLogFpr : 0.0, 1.0});
        chance->setPen(QPen(QColor(160, 160, 160), 1, Qt::DashLine));
        for (int s = 0; s < panels[p].series.size(); ++s) {
            const RocSeries& series = panels[p].series[s];
            QCPGraph* curve = m_plot->addGraph(x, y);
            QVector<double> fpr = series.fpr;
            if (m_logarithmic) {
                for (double& value : fpr) {
                    value = std::max(value, kLowestLogFpr); // log axes cannot show 0
                }
            }
            curve->setData(fpr, series.tpr, /*alreadySorted=*/true);
            curve->setPen(QPen(kColours[s % 6], 1.5));
            curve->setName(QStringLiteral("%1 (AUROC %2)").arg(series.name).arg(series.auroc, 0, 'f', 3));
            legend->addItem(new QCPPlottableLegendItem(legend, curve));
            // The operating point papers quote: the first threshold keeping 95% of ID images.
            for (int i = 0; i < series.tpr.size(); ++i) {
                if (series.tpr[i] >= 0.95) {
                    QCPGraph* mark = m_plot->addGraph(x, y);
                    mark->setData({fpr[i]}, {series.tpr[i]});
                    mark->setLineStyle(QCPGraph::lsNone);
                    mark->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, kColours[s % 6], Qt::white, 6));
                    break;
                }
            }
        }
        ++m_panelCount;
    }
    for (int row = 0; row < m_plot->plotLayout()->rowCount(); ++row) {
        m_plot->plotLayout()->setRowStretchFactor(row, row % 3 == 1 ? 1.0 : 0.001); // axes take the height
    }
    applyPalette(m_plot, palette());
    m_plot->replot();
}

} // namespace tau::widgets
