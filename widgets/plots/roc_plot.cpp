#include "widgets/plots/roc_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QVBoxLayout>

#include <cmath>

namespace tau::widgets {

namespace {

constexpr double kLowestLogFpr = 1e-4;
constexpr double kOperatingTpr = 0.95;
constexpr int kScreenPanelsPerRow = 3;
constexpr double kNarrowestPanel = 120.0; ///< points: a square panel with legible ticks
const QColor kReference(150, 150, 150);
constexpr Qt::PenStyle kChanceDash = Qt::DashDotDotLine; ///< no score's style uses it: chance stays apart in grey

QString titleOr(const QString& title, const QString& name)
{
    return title.isEmpty() ? name : title;
}

/** Points on TPR = FPR from the axis' lowest FPR to 1: log-spaced on a log axis, where the diagonal is a curve. */
void drawChance(QCPGraph* chance, bool logarithmic)
{
    QVector<double> x;
    if (logarithmic) {
        for (int i = 0; i <= 64; ++i) {
            x.append(std::pow(10.0, std::log10(kLowestLogFpr) * (1.0 - i / 64.0)));
        }
    } else {
        x = {0.0, 1.0};
    }
    chance->setData(x, x, /*alreadySorted=*/true);
    chance->setPen(QPen(kReference, 0.8, kChanceDash));
}

void setUpAxes(QCPAxis* x, QCPAxis* y, bool logarithmic, bool firstColumn)
{
    x->setLabel(QObject::tr("FPR")); // OOD images accepted
    y->setLabel(firstColumn ? QObject::tr("TPR") : QString()); // ID images kept
    y->setRange(0, 1.02);
    QSharedPointer<QCPAxisTickerFixed> halves(new QCPAxisTickerFixed);
    halves->setTickStep(0.5); // 0, 0.5, 1: legible in a narrow panel
    y->setTicker(halves);
    if (logarithmic) {
        x->setScaleType(QCPAxis::stLogarithmic);
        // A tick per decade, labelled at 10⁻³, 10⁻¹ and 1: powers of ten in the text's own size (QCustomPlot's
        // "eb" format draws exponents too small to print), and no label at 10⁻⁴, where it would meet the y axis'.
        QSharedPointer<QCPAxisTickerText> decades(new QCPAxisTickerText);
        decades->setTicks(QMap<double, QString>{{1e-4, QString()},
                                                {1e-3, QStringLiteral("10\u207b\u00b3")},
                                                {1e-2, QString()},
                                                {1e-1, QStringLiteral("10\u207b\u00b9")},
                                                {1.0, QStringLiteral("1")}});
        decades->setSubTickCount(0);
        x->setTicker(decades);
        x->setRange(kLowestLogFpr, 1);
    } else {
        x->setRange(0, 1);
        x->setTicker(halves);
    }
}

/** The first point keeping 95% of the ID images, or -1. */
int operatingPoint(const RocSeries& series)
{
    for (int i = 0; i < series.tpr.size(); ++i) {
        if (series.tpr[i] >= kOperatingTpr) {
            return i;
        }
    }
    return -1;
}

} // namespace

int rocPanelsPerRow(int panels, double widthPoints)
{
    const int widest = widthPoints > 0 ? std::max(1, int(widthPoints / kNarrowestPanel)) : kScreenPanelsPerRow;
    const int fitting = std::max(1, std::min(panels, widest));
    const int rows = (panels + fitting - 1) / fitting;
    return std::max(1, (panels + rows - 1) / std::max(1, rows)); // 5 panels in rows of 3 and 2, not 4 and 1
}

RocPlot::RocPlot(QWidget* parent) : QWidget(parent), m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setAutoAddPlottableToLegend(false); // the shared legend lists each curve once
}

void RocPlot::setLogarithmicFpr(bool logarithmic)
{
    m_logarithmic = logarithmic;
    rebuild();
}

void RocPlot::setPanels(const QVector<RocPanel>& panels)
{
    m_panels = panels;
    rebuild();
}

PaperLayout RocPlot::paperLayout()
{
    PaperLayout layout;
    layout.squareAxes = true;
    layout.arrange = [this](double widthPoints) {
        m_paperWidth = widthPoints;
        rebuild();
    };
    return layout;
}

void RocPlot::rebuild()
{
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->plotLayout()->clear();
    m_plot->legend = nullptr;
    m_panelCount = int(m_panels.size());
    m_panelsPerRow = rocPanelsPerRow(m_panelCount, m_paperWidth);
    // The figure: a grid of panels (each a label, its axes and its AUROCs, stacked), then the shared legend.
    auto* grid = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, grid);
    auto* margins = new QCPMarginGroup(m_plot);
    for (int p = 0; p < m_panels.size(); ++p) {
        addPanel(grid, p, margins);
    }
    if (!m_panels.isEmpty()) {
        auto* legend = new QCPLegend;
        m_plot->plotLayout()->addElement(1, 0, legend);
        m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
        m_plot->legend = legend;
        legend->setLayer(QStringLiteral("legend"));
        legend->setBorderPen(Qt::NoPen);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
        legend->setWrap(4);
        QVector<QString> listed;
        for (const RocPanel& panel : m_panels) {
            for (const RocSeries& series : panel.series) {
                const QString title = titleOr(series.title, series.name);
                if (!listed.contains(title)) {
                    listed.append(title);
                    addStyleLegendItem(legend, series.style, title);
                }
            }
        }
        addLineLegendItem(legend, kReference, kChanceDash, tr("chance"));
        addMarkerLegendItem(legend, QCPScatterStyle::ssDisc, kReference, tr("TPR 95%"));
    }
    applyPalette(m_plot, palette());
    m_plot->replot();
}

void RocPlot::addPanel(QCPLayoutGrid* grid, int index, QCPMarginGroup* margins)
{
    const RocPanel& panel = m_panels[index];
    const int column = index % m_panelsPerRow;
    auto* cell = new QCPLayoutGrid;
    grid->addElement(index / m_panelsPerRow, column, cell);
    cell->setRowSpacing(0);
    auto* label = new QCPTextElement(m_plot, titleOr(panel.title, panel.oodName), QFont(font().family(), 9, QFont::Bold));
    markAsPanelLabel(label);
    cell->addElement(0, 0, label);
    auto* rect = new QCPAxisRect(m_plot);
    cell->addElement(1, 0, rect);
    rect->setMarginGroup(QCP::msLeft | QCP::msRight, margins); // every panel's axes get the same width
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    setUpAxes(x, y, m_logarithmic, column == 0);
    // Under the axes, this panel's AUROC per curve, each beside its curve's line sample, under a heading.
    auto* heading = new QCPTextElement(m_plot, tr("AUROC"), font());
    heading->setTextFlags(Qt::AlignLeft | Qt::AlignVCenter);
    heading->setMargins(QMargins(4, 2, 2, 0));
    markAsPanelLabel(heading);
    cell->addElement(2, 0, heading);
    auto* aurocs = new QCPLegend;
    cell->addElement(3, 0, aurocs);
    aurocs->setLayer(QStringLiteral("legend"));
    aurocs->setBorderPen(Qt::NoPen);
    aurocs->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    aurocs->setWrap(3);
    aurocs->setRowSpacing(0);
    aurocs->setColumnSpacing(4);
    aurocs->setIconTextPadding(3); // tight: two AUROCs abreast under a panel a column's half wide
    aurocs->setMargins(QMargins(2, 0, 2, 0));
    cell->setRowStretchFactor(0, 0.001);
    cell->setRowStretchFactor(1, 1.0);
    cell->setRowStretchFactor(2, 0.001);
    cell->setRowStretchFactor(3, 0.001);

    QCPGraph* chance = m_plot->addGraph(x, y);
    drawChance(chance, m_logarithmic);
    markAsDecoration(chance);
    for (const RocSeries& series : panel.series) {
        QCPGraph* curve = m_plot->addGraph(x, y);
        QVector<double> fpr = series.fpr;
        if (m_logarithmic) {
            for (double& value : fpr) {
                value = std::max(value, kLowestLogFpr); // log axes cannot show 0
            }
        }
        curve->setData(fpr, series.tpr, /*alreadySorted=*/true);
        curve->setName(panel.oodName + QStringLiteral(" · ") + series.name);
        applySeriesStyle(curve, series.style);
        addSeriesMarkers(curve, series.style);
        addStyleLegendItem(aurocs, series.style, QString::number(series.auroc, 'f', 3));
        if (const int at = operatingPoint(series); at >= 0) {
            QCPGraph* mark = m_plot->addGraph(x, y);
            mark->setData({fpr[at]}, {series.tpr[at]});
            mark->setLineStyle(QCPGraph::lsNone);
            mark->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, series.style.colour, series.style.colour, 5));
            markAsDecoration(mark);
        }
    }
}

} // namespace tau::widgets
