// SPDX-License-Identifier: GPL-2.0
/*
 * wq_gpio_irq - GPIO interrupt to a workqueue, debounced, every edge counted
 *
 * A platform driver for a push-button on a GPIO line.  Given gpio_chip=
 * and gpio_line=, the module adds a GPIO lookup table and a "button"
 * device for it, so it runs on any board, on gpio-sim and on QEMU:
 *
 *	modprobe wq_gpio_irq gpio_chip=9030000.pl061 gpio_line=3	# arm64 virt
 *	cd /sys/bus/platform/drivers/wq_gpio_irq/button
 *	grep . edges handled debounced dropped_fifo_full level
 *
 * The interrupt handler only timestamps each edge into a kfifo and re-arms
 * delayed work with mod_delayed_work(), which runs once the line has been
 * quiet for debounce_ms: software debounce for a controller without usable
 * hardware debounce, as in drivers/input/keyboard/gpio_keys.c.  The work
 * counts an edge closer than that to the previous one as debounced, others
 * as handled, and reads the settled line (which may sleep).  An edge that
 * finds the kfifo full is dropped and counted: at rest, edges == handled +
 * debounced + dropped_fifo_full.  The handler runs in hard IRQ context, or
 * in a thread under threadirqs and PREEMPT_RT or behind an I2C/SPI GPIO
 * expander, which refuses hard handlers: devm_request_any_context_irq()
 * takes either.  A thread runs once for all interrupts that came while it
 * was pending, so there edges counts runs.  devm frees the IRQ before it
 * flushes and disables the work: unbinding at any moment neither races
 * the handler nor loses an edge.
 *
 * Expected output (without gpio_chip; a button adds IRQ, event and stopped lines):
 *
 *	wq_gpio_irq: driver registered, debounce_ms=<ms>
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/gpio/consumer.h>
#include <linux/gpio/driver.h>
#include <linux/gpio/machine.h>
#include <linux/interrupt.h>
#include <linux/kfifo.h>
#include <linux/ktime.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#define WQG_FIFO_SIZE		256	/* edges; a power of 2 */
#define WQG_DEBOUNCE_MAX_MS	1000U

static unsigned int debounce_ms = 20;
module_param(debounce_ms, uint, 0444);
MODULE_PARM_DESC(debounce_ms, "Debounce time in ms, 0 = off (0-1000, default 20)");
static char *gpio_chip;
module_param(gpio_chip, charp, 0444);
MODULE_PARM_DESC(gpio_chip, "Add a button on this chip, e.g. 9030000.pl061 (GPIO chip label, default none)");
static unsigned int gpio_line;
module_param(gpio_line, uint, 0444);
MODULE_PARM_DESC(gpio_line, "Its line offset on gpio_chip (0-65535, default 0)");
static bool active_low;
module_param(active_low, bool, 0444);
MODULE_PARM_DESC(active_low, "The button pulls the line low (bool, default N)");

enum { WQG_EDGES, WQG_HANDLED, WQG_DEBOUNCED, WQG_DROPPED_FIFO_FULL, WQG_NR };

struct wqg {
	struct device *dev;
	struct gpio_desc *gpiod;
	u32 debounce_ms;		/* set at probe */
	DECLARE_KFIFO(fifo, ktime_t, WQG_FIFO_SIZE);
	struct delayed_work work;
	struct mutex lock;		/* protects last and level */
	ktime_t last;			/* previous edge the work saw */
	int level;			/* settled line value, -1 if unknown */
	atomic_long_t count[WQG_NR];
};

static irqreturn_t wqg_irq(int irq, void *data)
{
	struct wqg *wqg = data;

	atomic_long_inc(&wqg->count[WQG_EDGES]);
	if (!kfifo_put(&wqg->fifo, ktime_get()))
		atomic_long_inc(&wqg->count[WQG_DROPPED_FIFO_FULL]);
	/* Pushes the work back while the line bounces; fine in any context. */
	mod_delayed_work(system_dfl_wq, &wqg->work,
			 msecs_to_jiffies(wqg->debounce_ms));
	return IRQ_HANDLED;
}

static void wqg_work_fn(struct work_struct *work)
{
	struct wqg *wqg = container_of(to_delayed_work(work), struct wqg, work);
	s64 debounce_ns = (s64)wqg->debounce_ms * NSEC_PER_MSEC;
	unsigned int n = kfifo_len(&wqg->fifo), edges = 0, bounces = 0;
	ktime_t ts;

	mutex_lock(&wqg->lock);
	/* Only what is there now: a later edge has queued this work again. */
	for (; n && kfifo_get(&wqg->fifo, &ts); n--, edges++) {
		if (wqg->last && ktime_to_ns(ktime_sub(ts, wqg->last)) < debounce_ns)
			bounces++;
		wqg->last = ts;
	}
	atomic_long_add(edges - bounces, &wqg->count[WQG_HANDLED]);
	atomic_long_add(bounces, &wqg->count[WQG_DEBOUNCED]);
	wqg->level = gpiod_get_value_cansleep(wqg->gpiod);	/* may sleep */
	if (edges)
		dev_info_ratelimited(wqg->dev, "event %ld: %s after %u edges (%u debounced), %lld us after the last, PID %d\n",
				     atomic_long_read(&wqg->count[WQG_HANDLED]),
				     wqg->level < 0 ? "?" : wqg->level ? "pressed" : "released",
				     edges, bounces, ktime_us_delta(ktime_get(), wqg->last),
				     task_pid_nr(current));
	mutex_unlock(&wqg->lock);
}

static void wqg_stop(void *data)
{
	struct wqg *wqg = data;
	atomic_long_t *c = wqg->count;

	/* devm has freed the IRQ already: nothing can queue the work now. */
	flush_delayed_work(&wqg->work);		/* process what is left */
	disable_delayed_work_sync(&wqg->work);
	dev_info(wqg->dev, "stopped: %ld edges = %ld handled + %ld debounced + %ld dropped\n",
		 atomic_long_read(&c[WQG_EDGES]), atomic_long_read(&c[WQG_HANDLED]),
		 atomic_long_read(&c[WQG_DEBOUNCED]), atomic_long_read(&c[WQG_DROPPED_FIFO_FULL]));
}

static ssize_t wqg_count_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct wqg *wqg = dev_get_drvdata(dev);
	long i = (long)container_of(attr, struct dev_ext_attribute, attr)->var;

	return sysfs_emit(buf, "%ld\n", atomic_long_read(&wqg->count[i]));
}

static struct dev_ext_attribute wqg_count_attrs[] = {
	{ __ATTR(edges, 0444, wqg_count_show, NULL), (void *)WQG_EDGES },
	{ __ATTR(handled, 0444, wqg_count_show, NULL), (void *)WQG_HANDLED },
	{ __ATTR(debounced, 0444, wqg_count_show, NULL), (void *)WQG_DEBOUNCED },
	{ __ATTR(dropped_fifo_full, 0444, wqg_count_show, NULL), (void *)WQG_DROPPED_FIFO_FULL },
};

static ssize_t level_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct wqg *wqg = dev_get_drvdata(dev);

	guard(mutex)(&wqg->lock);
	return sysfs_emit(buf, "%d\n", wqg->level);
}
static DEVICE_ATTR_RO(level);

static struct attribute *wqg_attrs[] = {
	&wqg_count_attrs[WQG_EDGES].attr.attr, &wqg_count_attrs[WQG_HANDLED].attr.attr,
	&wqg_count_attrs[WQG_DEBOUNCED].attr.attr,
	&wqg_count_attrs[WQG_DROPPED_FIFO_FULL].attr.attr, &dev_attr_level.attr, NULL
};
ATTRIBUTE_GROUPS(wqg);

static int wqg_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct wqg *wqg;
	int irq, ret;

	wqg = devm_kzalloc(dev, sizeof(*wqg), GFP_KERNEL);
	if (!wqg)
		return -ENOMEM;
	wqg->dev = dev;
	wqg->debounce_ms = debounce_ms;
	wqg->level = -1;
	INIT_KFIFO(wqg->fifo);
	platform_set_drvdata(pdev, wqg);
	ret = devm_mutex_init(dev, &wqg->lock);
	if (ret)
		return ret;

	/* A DT node's debounce-interval, as for gpio-keys; none leaves it as is. */
	if (!device_property_read_u32(dev, "debounce-interval", &wqg->debounce_ms) &&
	    wqg->debounce_ms > WQG_DEBOUNCE_MAX_MS) {
		dev_warn(dev, "debounce-interval: %u ms is above %u ms, using %u ms\n",
			 wqg->debounce_ms, WQG_DEBOUNCE_MAX_MS, debounce_ms);
		wqg->debounce_ms = debounce_ms;
	}

	wqg->gpiod = devm_gpiod_get(dev, "button", GPIOD_IN);
	if (IS_ERR(wqg->gpiod))
		return dev_err_probe(dev, PTR_ERR(wqg->gpiod), "no button GPIO\n");
	irq = gpiod_to_irq(wqg->gpiod);
	if (irq < 0)
		return dev_err_probe(dev, irq, "the line cannot interrupt\n");

	INIT_DELAYED_WORK(&wqg->work, wqg_work_fn);
	ret = devm_add_action_or_reset(dev, wqg_stop, wqg);
	if (ret)
		return ret;
	/* Requested last, so devm frees it first, before wqg_stop() runs. */
	ret = devm_request_any_context_irq(dev, irq, wqg_irq,
					   IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING,
					   dev_name(dev), wqg);
	if (ret < 0)
		return dev_err_probe(dev, ret, "cannot request IRQ %d\n", irq);

	dev_info(dev, "IRQ %d, debounce %u ms, FIFO of %d edges\n",
		 irq, wqg->debounce_ms, WQG_FIFO_SIZE);
	return 0;
}

/* Or a device tree node with button-gpios and, optionally, debounce-interval. */
static const struct of_device_id wqg_of_match[] = {
	{ .compatible = "linux,wq-gpio-irq-sample" },
	{ }
};
MODULE_DEVICE_TABLE(of, wqg_of_match);

static struct platform_driver wqg_driver = {
	.probe = wqg_probe,
	.driver = {
		.name = KBUILD_MODNAME,
		.of_match_table = wqg_of_match,
		.dev_groups = wqg_groups,
		/* Even with async_probe: init needs to know it bound. */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

/* gpio_chip: the line's chip label and offset, for devm_gpiod_get("button") */
static struct gpiod_lookup_table wqg_lookup = {
	.dev_id = "button",
	.table = { { }, { } },	/* [0] is filled in from the parameters */
};

static struct platform_device *wqg_button;

static int __init wqg_add_button(void)
{
	struct gpio_device *gdev = gpio_device_find_by_label(gpio_chip);
	struct platform_device *pdev;
	int ret;

	if (!gdev) {
		pr_err("gpio_chip: no GPIO chip labelled \"%s\" (see gpiodetect)\n", gpio_chip);
		return -ENODEV;
	}
	ret = PTR_ERR_OR_ZERO(gpio_device_get_desc(gdev, gpio_line));
	gpio_device_put(gdev);
	if (ret) {
		pr_err("gpio_line: %s has no line %u\n", gpio_chip, gpio_line);
		return ret;
	}
	wqg_lookup.table[0] = GPIO_LOOKUP(gpio_chip, gpio_line, "button",
					  active_low ? GPIO_ACTIVE_LOW : GPIO_ACTIVE_HIGH);
	gpiod_add_lookup_table(&wqg_lookup);

	/* Named "button", bound to this driver only: driver_override. */
	pdev = platform_device_alloc("button", PLATFORM_DEVID_NONE);
	ret = pdev ? device_set_driver_override(&pdev->dev, KBUILD_MODNAME) : -ENOMEM;
	if (!ret)
		ret = platform_device_add(pdev);
	if (!ret) {
		bool bound;

		device_lock(&pdev->dev);
		bound = device_is_bound(&pdev->dev);
		device_unlock(&pdev->dev);
		if (!bound) {
			platform_device_del(pdev);
			ret = -ENODEV;
		}
	}
	if (ret) {
		platform_device_put(pdev);
		gpiod_remove_lookup_table(&wqg_lookup);
		pr_err("gpio_chip: no button on %s line %u: %d (see above)\n",
		       gpio_chip, gpio_line, ret);
		return ret;
	}
	wqg_button = pdev;
	return 0;
}

static int __init wqg_init(void)
{
	int ret;

	if (debounce_ms > WQG_DEBOUNCE_MAX_MS) {
		pr_err("debounce_ms: must be 0-%u (ms, 0 = off)\n", WQG_DEBOUNCE_MAX_MS);
		return -EINVAL;
	}
	if ((!gpio_chip || !*gpio_chip) && (gpio_line || active_low)) {
		pr_err("gpio_line, active_low: they need gpio_chip, the label of a GPIO chip\n");
		return -EINVAL;
	}
	ret = platform_driver_register(&wqg_driver);
	if (ret)
		return ret;
	pr_info("driver registered, debounce_ms=%u\n", debounce_ms);
	if (gpio_chip && *gpio_chip) {
		ret = wqg_add_button();
		if (ret)
			platform_driver_unregister(&wqg_driver);
	}
	return ret;
}

static void __exit wqg_exit(void)
{
	if (wqg_button) {
		platform_device_unregister(wqg_button);	/* unbinds it */
		gpiod_remove_lookup_table(&wqg_lookup);
	}
	platform_driver_unregister(&wqg_driver);	/* unbinds every device */
}

module_init(wqg_init);
module_exit(wqg_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("@SUBMITTER@");
MODULE_DESCRIPTION("GPIO interrupt deferred to a workqueue, with software debounce");
