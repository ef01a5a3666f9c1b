#pragma once

// The one way to include QCustomPlot: its header uses the Qt keywords signals/slots/foreach, which our targets
// disable (QT_NO_KEYWORDS) because LibTorch headers use `slots` as an identifier.

#include <QtGlobal>

#ifdef QT_NO_KEYWORDS
#define signals Q_SIGNALS
#define slots Q_SLOTS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef slots
#undef foreach
#else
#include <qcustomplot.h>
#endif
