#pragma once

#include <QColor>
#include <QVector>

class QCPColorGradient;

namespace tau::widgets {

/**
 * Viridis (van der Walt and Smith, matplotlib): perceptually uniform, readable in grey and by colour-blind
 * readers. Maps values to colours after clamping to a range, usually percentiles of the data, so a few
 * extreme values do not flatten everyone else into one colour.
 */
class ColorMap
{
public:
    ColorMap();

    /** Values at or below @p low get the first colour, at or above @p high the last. */
    void setRange(double low, double high);
    double low() const { return m_low; }
    double high() const { return m_high; }

    /** The colour at @p position in [0, 1] (clamped), interpolated between the map's anchors. */
    static QColor at(double position);
    QColor colorFor(double value) const;
    /** 0..1 position of @p value in the range (0 for an empty range). */
    double positionOf(double value) const;

    /** The same map as a QCustomPlot gradient, for colour bars. */
    static QCPColorGradient gradient();

private:
    double m_low = 0;
    double m_high = 1;
};

/** The @p percentile (0..100, linear interpolation between order statistics) of @p values. */
double percentileOf(QVector<double> values, double percentile);

/** Distinct colours for classes (Okabe and Ito's colour-blind-safe set, then tab10's). */
QColor categoricalColor(int index);

} // namespace tau::widgets
