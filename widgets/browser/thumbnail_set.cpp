#include "widgets/browser/thumbnail_set.h"

namespace tau::widgets {

QString ThumbnailSet::className(int image) const
{
    const int label = labels.value(image, -1);
    if (label >= 0 && label < classNames.size()) {
        return classNames[label];
    }
    return label >= 0 ? QString::number(label) : QStringLiteral("unlabelled");
}

QImage ThumbnailSet::image(int index) const
{
    if (index < 0 || index >= count() || height <= 0 || width <= 0) {
        return {};
    }
    const qsizetype plane = qsizetype(height) * width;
    const auto* source = reinterpret_cast<const uchar*>(pixels.constData()) + qsizetype(index) * channels * plane;
    if (channels == 1) {
        QImage grey(width, height, QImage::Format_Grayscale8);
        for (int y = 0; y < height; ++y) {
            std::copy(source + y * width, source + (y + 1) * width, grey.scanLine(y));
        }
        return grey;
    }
    QImage rgb(width, height, QImage::Format_RGB888);
    for (int y = 0; y < height; ++y) {
        uchar* line = rgb.scanLine(y);
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < 3; ++c) {
                line[3 * x + c] = source[qsizetype(std::min(c, channels - 1)) * plane + y * width + x];
            }
        }
    }
    return rgb;
}

} // namespace tau::widgets
