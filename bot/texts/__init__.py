"""Every word the bot says, one module per feature like the use cases, so the voice stays one.

`needs.py` holds what /need and /needs say, `matchmaking.py` the ask and the introduction, and
so on. Each module's messages are re-exported here: call sites write `texts.need_posted(...)`
and a new message needs only its function in its feature's module.
"""

from bot.texts.answers import *  # noqa: F403
from bot.texts.buttons import *  # noqa: F403
from bot.texts.errors import *  # noqa: F403
from bot.texts.favours import *  # noqa: F403
from bot.texts.forget import *  # noqa: F403
from bot.texts.help import *  # noqa: F403
from bot.texts.matchmaking import *  # noqa: F403
from bot.texts.needs import *  # noqa: F403
from bot.texts.profile import *  # noqa: F403
from bot.texts.pulse import *  # noqa: F403
from bot.texts.referrals import *  # noqa: F403
from bot.texts.resolve import *  # noqa: F403
from bot.texts.stats import *  # noqa: F403
from bot.texts.waiting import *  # noqa: F403
from bot.texts.words import quote as quote
